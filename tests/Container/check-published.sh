#!/usr/bin/env bash
# What can be checked of the container recipe without pulling a base image (docs/OPERATIONS.md,
# "Containers"): the published server, in a read-only folder owned by root, run by a throw-away uid
# that has no account, with the data directory on another path and a private temporary directory
# (the container's volume and tmpfs) the only places it can write. Checks the probes, the compose
# health check's command, a clean SIGTERM with an SSE client and a long poll open, that a SET
# published before it survives the restart, and that nothing was written anywhere else.
#
#   sudo tests/Container/check-published.sh              # publishes the server first (Release)
#   sudo tests/Container/check-published.sh PUBLISHED    # an existing `dotnet publish` output
#
# Needs root (setpriv), curl and python3; listens on loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."

uid=${CHECK_UID:-54321}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid"; fi
  rm -rf "$work"
}
trap cleanup EXIT
chmod 0755 "$work"
touch "$work/started"

if [ $# -ge 1 ]; then
  cp -r "$1" "$work/app"
else
  dotnet publish src/SharpSignals.Server -c Release -o "$work/app" -nologo -v q
fi
chown -R root:root "$work/app"
chmod -R a-w "$work/app"
install -d -o "$uid" -g "$uid" -m 0700 "$work/volume" "$work/tmp"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
dotnet_host=$(readlink -f "$(command -v dotnet)")

start_server() {
  setpriv --reuid="$uid" --regid="$uid" --clear-groups \
    env -i PATH=/usr/bin:/bin HOME=/nonexistent TMPDIR="$work/tmp" \
    "$dotnet_host" "$work/app/SharpSignals.Server.dll" --urls "$base" \
      --SharpSignals:DataDirectory="$work/volume/data" --SharpSignals:Issuer="$base" \
      --SharpSignals:AllowInsecureHttp=true >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/readyz")" = 200 ]; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "FAIL: the server did not become ready:"; cat "$work/server.log"; exit 1
}

expect() { # what, expected, actual
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected '$2', got '$3'"; exit 1; fi
  echo "ok: $1: $3"
}

json() { python3 -c "import json, sys; print(json.load(sys.stdin)$1)"; }

start_server
for probe in livez readyz healthz; do
  expect "/$probe" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$base/$probe")"
done
# The compose file's health check: the runtime image has no curl.
expect "compose health check" "HTTP/1.1 200 OK" "$(bash -c "exec 3<>/dev/tcp/127.0.0.1/$port && printf 'GET /readyz HTTP/1.0\r\n\r\n' >&3 && head -n 1 <&3" | tr -d '\r')"

token=$(cat "$work/volume/data/admin.token")
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
stream() {
  curl -s "$base/ssf/streams" "${auth[@]}" -d "{\"delivery\":{\"method\":\"urn:ietf:rfc:8936\"},\"events_requested\":[\"https://schemas.openid.net/secevent/caep/event-type/$1\"]}" | json '["stream_id"]'
}
kept=$(stream session-revoked)
quiet=$(stream credential-change)
curl -s "$base/events" "${auth[@]}" -o /dev/null \
  -d '{"events":{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{}},"sub_id":{"format":"email","email":"alice@example.com"}}'

curl -sN "$base/ssf/sse/$quiet" -H "Authorization: Bearer $token" >"$work/sse.out" &
sse=$!
curl -s "$base/ssf/poll/$quiet" "${auth[@]}" -d '{}' -w ' %{http_code}' >"$work/poll.out" &
poll=$!
sleep 2
started=$(date +%s%N)
kill -TERM "$server_pid"
set +e
wait "$server_pid"
exit_code=$?
set -e
took_ms=$(( ($(date +%s%N) - started) / 1000000 ))
server_pid=
expect "exit code after SIGTERM" 0 "$exit_code"
echo "ok: stopped in $took_ms ms"
if [ "$took_ms" -ge 10000 ]; then echo "FAIL: over the 10 s shutdown limit"; exit 1; fi
wait "$sse" "$poll"
expect "SSE response" "retry: 1000" "$(head -n 1 "$work/sse.out")"
expect "long poll answer" '{"sets":{},"moreAvailable":false} 200' "$(cat "$work/poll.out")"

start_server
expect "SETs pending after the restart" 1 "$(curl -s "$base/ssf/poll/$kept" "${auth[@]}" -d '{"returnImmediately":true}' | json '["sets"].__len__()')"
kill -TERM "$server_pid"
wait "$server_pid" || true
server_pid=

elsewhere=$(find / -xdev -uid "$uid" -newer "$work/started" -not -path "$work/volume/*" -not -path "$work/volume" -not -path "$work/tmp/*" -not -path "$work/tmp" 2>/dev/null || true)
expect "files written outside the volume and the temporary directory" "" "$elsewhere"
echo "all checks passed"
