#!/usr/bin/env python3
"""Where a server's CPU goes per event, by stage (issue 23): a perf profile folded into stages.

  bench/profile/stages.py record --part publish -- dotnet run -c Release --project bench/SharpSignals.Bench -- load --only publish
  bench/profile/stages.py fold --perf-data perf.data --server-cpu-us 1234567 --events 40000

`record` runs the command with DOTNET_PerfMapEnabled=1 and DOTNET_EnableWriteXorExecute=0 (the server it
starts inherits them), waits for the
bench's line "profile window: <part>, server pid <pid>, <n> s", records that pid with perf for the window
(less a second, so the recording ends inside it), reads the server's CPU time from /proc/<pid>/stat
before and after, and takes the events in the recording from the rate the bench prints afterwards
(closed-loop windows run at a steady rate). A part that runs a fixed amount of work instead (fan-out)
prints "profile window: <part>, server pid <pid>, until done" and, when the work is over,
"profile done: <part>, <n> events" (or SETs): the recording then spans exactly that work and counts its events. It prints microseconds of server CPU per event per stage:
the server's CPU over the recording divided by the events in it, shared out by perf's samples.

Each sample goes to the stage of its innermost frame that a pattern below matches (leaf first; in one
frame, the first stage in the table). Frames no pattern matches (libc, collections, strings) pass the
sample on to their caller, so such work counts towards the stage that asked for it. To split a stage
or add one, add a row to STAGES; `--top N` lists the frames that decided each stage (for "other", the
leaf frames no row matched), the place to look for a pattern to add.
"""

import argparse
import collections
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time

# (stage, pattern over "symbol (dso basename)"); the order only matters for a frame two rows match.
STAGES = [
    ("telemetry and logging", r"System\.Diagnostics\.(Metrics|Activity|DiagnosticSource)|OpenTelemetry|Microsoft\.Extensions\.Logging|SharpSignals\.Server\.Telemetry"),
    ("JSON reading", r"Utf8JsonReader|JsonDocument|JsonElement|JsonReaderHelper|JsonSerializer::Deserialize|SharpSignals\.Server\.Http\.JsonBody"),
    ("validation", r"SecurityEventToken::Validate|SetClaimsRules|SharpSignals\.Tokens\.(Events|Subjects)|SharpSignals\.Server\.Intake|SharpSignals\.Server\.Streams\.ProjectEventTypes"),
    ("signing", r"libcrypto|libssl|SharpSignals\.Tokens\.(Sets|Keys|Encryption)|SharpSignals\.Server\.Keys|Microsoft\.IdentityModel|System\.Security\.Cryptography|Base64Url"),
    ("routing", r"SharpSignals\.Server\.Routing"),
    ("writer and commit", r"SharpSignals\.Storage|Microsoft\.Data\.Sqlite|SQLitePCL|sqlite3|Npgsql|ext4_|jbd2|fsync|fdatasync|blk_|iomap|pwrite|generic_perform_write|file_write"),
    ("thread hand-offs", r"futex|sched_yield|\bschedule\b|__schedule|try_to_wake_up|LowLevelLifoSemaphore|LowLevelSpinWaiter|PortableThreadPool|ThreadPoolWorkQueue|ThreadPoolTypedWorkItemQueue|SpinWait|SemaphoreSlim|ManualResetEventSlim|System\.Threading\.Monitor|System\.Threading\.Channels|System\.Threading\.Tasks|AsyncTaskMethodBuilder|AsyncStateMachineBox|ExecutionContext|CLRLifoSemaphore|YieldProcessor|ThreadNative|AwareLock|SyncBlock"),
    ("kernel sockets", r"tcp_|sock_|inet_|__sys_(sendto|recvfrom|sendmsg|recvmsg)|skb|__netif|net_rx|netif_|loopback|ip_(rcv|output|finish|local|queue)|__dev_queue|ep_poll|epoll|do_softirq"),
    ("HTTP and auth", r"Microsoft\.AspNetCore|Kestrel|System\.IO\.Pipelines|System\.Net\.|SharpSignals\.Server\.(Auth|Http|Tenancy)|System\.Security\.Claims|libSystem\.Net"),
    ("runtime, GC and JIT", r"libcoreclr|libclrjit|libSystem\.Native|page_fault|clear_page|do_anonymous_page|handle_mm_fault|\[unknown\] \(\[unknown\]\)"),
]
OTHER = "other"
COMPILED = [(stage, re.compile(pattern)) for stage, pattern in STAGES]

FRAME = re.compile(r"^\s+[0-9a-f]+\s+(.*?)\s+\((.*)\)\s*$")


def classify(frames):
    """The stage of one sample and the frame that decided it; frames are leaf first."""
    for frame in frames:
        for stage, pattern in COMPILED:
            if pattern.search(frame):
                return stage, frame
    return OTHER, frames[0] if frames else "(no frames)"


def samples(perf_data):
    """Each sample's frames, leaf first, as "symbol (dso basename)", from perf script."""
    script = subprocess.Popen(["perf", "script", "-i", perf_data, "-F", "comm,tid,ip,sym,dso"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, errors="replace")
    frames = []
    for line in script.stdout:
        if not line.strip():
            if frames:
                yield frames
            frames = []
            continue
        match = FRAME.match(line)
        if match:
            symbol, dso = match.groups()
            frames.append(f"{symbol} ({os.path.basename(dso)})")
    if frames:
        yield frames
    script.wait()


def fold(perf_data, server_cpu_us, events, top):
    counts = collections.Counter()
    deciding = collections.defaultdict(collections.Counter)
    for frames in samples(perf_data):
        stage, frame = classify(frames)
        counts[stage] += 1
        deciding[stage][frame] += 1
    total = sum(counts.values())
    if total == 0:
        sys.exit("no samples in " + perf_data)
    per_event = server_cpu_us / events
    print(f"{total:,} samples; server CPU {server_cpu_us / 1e6:.2f} s for {events:,.0f} events = {per_event:.0f} µs per event")
    print()
    print("| stage | µs per event | share |")
    print("|---|---:|---:|")
    for stage in [s for s, _ in STAGES] + [OTHER]:
        share = counts[stage] / total
        print(f"| {stage} | {share * per_event:.0f} | {share:.0%} |")
    print(f"| **all** | **{per_event:.0f}** | 100% |")
    for stage in [s for s, _ in STAGES] + [OTHER] if top else []:
        print()
        print(f"{stage}: the commonest frames that decided it (for {OTHER}, the leaf)")
        for frame, n in deciding[stage].most_common(top):
            print(f"  {n / total:6.1%}  {frame[:160]}")


def cpu_seconds(pid):
    """utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat), in seconds."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def record(args):
    marker = re.compile(r"profile window: " + re.escape(args.part) + r", server pid (\d+), (\d+ s|until done)")
    done = re.compile(r"profile done: " + re.escape(args.part) + r", ([\d,]+) (?:events|SETs)")
    rate_pattern = re.compile(args.rate_pattern or (r"^\s*-?\s*" + re.escape(args.part) + r" \([^)]*\): .*? = ([\d,]+)/s"))
    # Without W^X off, JIT'd code runs from a double-mapped memfd that perf cannot match to the perf map.
    env = dict(os.environ, DOTNET_PerfMapEnabled="1", DOTNET_EnableWriteXorExecute="0")
    bench = subprocess.Popen(args.command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    out_dir = args.keep or tempfile.mkdtemp(prefix="stages-")
    os.makedirs(out_dir, exist_ok=True)
    perf_data = os.path.join(out_dir, f"{args.part}.perf.data")
    window = {}
    rate = None
    counted = None

    def profile(pid, seconds):
        # A busy machine finishes tiered compilation late: --skip leaves the window's start out.
        time.sleep(args.skip)
        before = cpu_seconds(pid)
        started = time.monotonic()
        subprocess.run(["perf", "record", "-e", "cpu-clock", "-F", str(args.frequency), "-g", "-p", str(pid),
                        "-o", perf_data, "--", "sleep", str(seconds)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        window["elapsed"] = time.monotonic() - started
        window["cpu"] = cpu_seconds(pid) - before

    def profile_until_done(pid):
        before = cpu_seconds(pid)
        started = time.monotonic()
        perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", str(args.frequency), "-g", "-p", str(pid),
                                 "-o", perf_data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The CPU time first: the bench stops its server soon after the done line.
        return lambda: (window.update(elapsed=time.monotonic() - started, cpu=cpu_seconds(pid) - before),
                        perf.send_signal(signal.SIGINT), perf.wait())

    recorder = None
    stop = None
    for line in bench.stdout:
        sys.stdout.write(line)
        match = marker.search(line)
        if match and recorder is None and stop is None:
            if match.group(2) == "until done":
                stop = profile_until_done(int(match.group(1)))
            else:
                seconds = args.seconds or max(1, int(match.group(2)) - args.skip - 1)
                recorder = threading.Thread(target=profile, args=(int(match.group(1)), seconds))
                recorder.start()
        elif stop is not None and counted is None:
            found = done.search(line)
            if found:
                # The server is still alive here: the bench prints this line before it stops it.
                stop()
                counted = float(found.group(1).replace(",", ""))
        elif recorder is not None and rate is None:
            found = rate_pattern.search(line)
            if found:
                rate = float(found.group(1).replace(",", ""))
    bench.wait()
    if stop is not None:
        if counted is None:
            sys.exit(f"the bench printed no 'profile done: {args.part}, ...' line")
        events = counted
    else:
        if recorder is None:
            sys.exit(f"the bench printed no 'profile window: {args.part}, ...' line")
        recorder.join()
        if rate is None:
            sys.exit("no rate line matched; give --rate-pattern")
        events = rate * window["elapsed"]
    print()
    print(f"stages of '{args.part}' (perf data in {perf_data}; load average {open('/proc/loadavg').read().split()[0:3]}):")
    fold(perf_data, window["cpu"] * 1e6, events, args.top)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="mode", required=True)
    rec = commands.add_parser("record", help="run a bench command and profile one of its windows")
    rec.add_argument("--part", default="publish", help="the window's name in the bench's 'profile window:' line")
    rec.add_argument("--seconds", type=int, help="how long to record (default: the window less a second)")
    rec.add_argument("--skip", type=int, default=0, help="seconds of the window to leave out before recording")
    rec.add_argument("--frequency", type=int, default=999)
    rec.add_argument("--rate-pattern", help="a regex whose first group is the window's events per second (default: the part's detail line)")
    rec.add_argument("--keep", help="a directory to keep perf.data in")
    rec.add_argument("--top", type=int, default=0, help="list each stage's commonest deciding frames, this many")
    rec.add_argument("command", nargs=argparse.REMAINDER)
    fol = commands.add_parser("fold", help="fold an existing recording")
    fol.add_argument("--perf-data", required=True)
    fol.add_argument("--server-cpu-us", type=float, required=True)
    fol.add_argument("--events", type=float, required=True)
    fol.add_argument("--top", type=int, default=0)
    args = parser.parse_args()
    if args.mode == "record":
        if args.command and args.command[0] == "--":
            args.command = args.command[1:]
        if not args.command:
            parser.error("record needs a command after --")
        record(args)
    else:
        fold(args.perf_data, args.server_cpu_us, args.events, args.top)


if __name__ == "__main__":
    main()
