using System.Globalization;
using System.Text;

namespace SharpSignals.Tests.Support;

/// <summary>
/// Makes hostile requests for issue 19: random bytes, invalid UTF-8, lone surrogate escapes, deep
/// nesting, huge numbers, very long strings and ids, odd Unicode in paths and queries, wrong and
/// missing media types, bodies of the right shape with members of the wrong type, truncated JWTs and
/// JWTs with odd headers; each sent with no token, a bad one or one of every kind the server has.
/// Request <c>i</c> of seed <c>s</c> depends on nothing else, so one failure is reproduced alone,
/// whatever ran beside it. Hand-written: the fuzzers for .NET feed bytes to a function in process
/// (coverage guided); none generates HTTP requests against a running server.
/// </summary>
internal sealed class FuzzGenerator(int seed, IReadOnlyList<FuzzEndpoint> endpoints, FuzzFixture fixture)
{
    private const string JsonMediaType = "application/json";

    private static readonly string[] MediaTypes =
    [
        JsonMediaType, JsonMediaType, JsonMediaType, "application/json; charset=utf-8", "application/json; charset=utf-16", "application/json; charset=bogus",
        "application/secevent+jwt", "application/problem+json", "text/plain", "application/xml", "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=fuzz", "multipart/form-data", "application/octet-stream", "*/*", "application/", ";;;", "application/json; boundary=\"",
    ];

    private static readonly string[] QueryNames = ["stream_id", "project", "max", "limit", "since", "until", "before", "event_type", "txn", "source_stream_id", "position", "topic"];

    /// <summary>Members the endpoints read, each with a value of the right type (<see cref="RightValue"/>); a body takes those of its endpoint.</summary>
    private static readonly Dictionary<string, string[]> Members = new(StringComparer.Ordinal)
    {
        ["/ssf/streams"] = ["stream_id", "delivery", "events_requested", "description", "direction", "route_mode", "project", "source", "aud"],
        ["/ssf/status"] = ["stream_id", "status", "reason"],
        ["/ssf/subjects/add"] = ["stream_id", "subject", "verified"],
        ["/ssf/subjects/remove"] = ["stream_id", "subject"],
        ["/ssf/verify"] = ["stream_id", "state"],
        ["/ssf/poll/{streamId}"] = ["maxEvents", "returnImmediately", "ack", "setErrs"],
        ["/events"] = ["events", "sub_id", "txn", "toe", "jti"],
        ["/broadcast"] = ["topic", "message", "token", "event"],
        ["/iat"] = ["project", "expires_in", "single_use"],
        ["/register"] = ["client_name", "scope"],
        ["/admin/streams/{streamId}/deadletters/retry"] = ["jtis"],
        ["/admin/streams/{streamId}/deadletters/discard"] = ["jtis"],
        ["/admin/streams/{streamId}/replay"] = ["from_time", "from_jti", "from_position", "dry_run"],
        ["/admin/keys/rotate"] = ["algorithm", "now"],
    };

    private static readonly string[] AllMembers = [.. Members.Values.SelectMany(m => m).Distinct()];

    /// <summary>Numbers that overflow, underflow or sit on a type's edge.</summary>
    private static readonly string[] OddNumbers =
    [
        "1e400", "-1e400", "1e-400", "-0", "0.5", "1E+2", "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809",
        "18446744073709551616", "123456789012345678901234567890", "1.7976931348623157e309", "315360001", "4294967296", "1e30", "0",
    ];

    /// <summary>Pieces of odd text: right-to-left marks, zero width, NUL, combining marks, emoji (a surrogate pair), a lone surrogate, BOM, escapes.</summary>
    private static readonly string[] OddPieces =
    [
        "a", "stream", "\u202e", "\u200b", "\u200d", "\ufeff", "\0", "e\u0301\u0301\u0301", "\U0001F600", "\ud800", "\udc00", "\u0085", "\u2028",
        "%", "%zz", "../", "..", "\\", "\"", "'", " ", "\t", "\r\n", "{", "}", "[", "<", "&", "=", "+", "/", "?", "#", "\u05d0\u05d1", "\uffff", "\u00e9",
    ];

    private static readonly string[] EventTypes =
    [
        "https://schemas.openid.net/secevent/caep/event-type/session-revoked", "https://schemas.openid.net/secevent/risc/event-type/account-disabled",
        "https://schemas.openid.net/secevent/ssf/event-type/verification", "session-revoked", "urn:example:unknown",
    ];

    public int Seed => seed;

    /// <summary>How many requests the sweep of every endpoint with every credential takes, before the rest are drawn at random.</summary>
    public int SweepLength => endpoints.Count * fixture.Credentials.Count;

    /// <summary>Request <paramref name="index"/> of this seed, the same every time.</summary>
    public FuzzRequest Next(int index)
    {
        var random = RandomFor(seed, index);
        FuzzEndpoint endpoint;
        FuzzCredential credential;
        if (index < SweepLength)
        {
            // First every endpoint with every credential once, so that none is left to chance.
            endpoint = endpoints[index % endpoints.Count];
            credential = fixture.Credentials[index / endpoints.Count];
        }
        else
        {
            endpoint = endpoints[random.Next(endpoints.Count)];
            credential = random.Next(8) == 0
                ? new FuzzCredential("generated jwt", (random.Next(4) == 0 ? "bearer " : "Bearer ") + BadJwt(random))
                : fixture.Credentials[random.Next(fixture.Credentials.Count)];
        }

        var path = Path(random, endpoint);
        var headers = new List<KeyValuePair<string, string>>();
        if (random.Next(6) == 0)
        {
            headers.Add(new("Last-Event-ID", AsciiHeader(random)));
        }

        if (random.Next(10) == 0)
        {
            headers.Add(new("Accept", random.Next(2) == 0 ? "text/event-stream" : AsciiHeader(random)));
        }

        var bodyless = endpoint.Method is "GET" or "DELETE" or "HEAD";
        if (bodyless && random.Next(8) != 0)
        {
            return new FuzzRequest(seed, index, endpoint.Method, path, credential, null, null, headers);
        }

        var (body, mediaType) = Body(random, endpoint);
        if (random.Next(5) == 0)
        {
            mediaType = random.Next(4) == 0 ? null : MediaTypes[random.Next(MediaTypes.Length)];
        }

        return new FuzzRequest(seed, index, endpoint.Method, path, credential, mediaType, body, headers);
    }

    /// <summary>A random source for one request of one seed; seeded <see cref="Random"/> gives the same sequence on every run and platform.</summary>
    internal static Random RandomFor(int seed, int index) => new(unchecked((seed * 1_000_003) ^ index));

    /// <summary>A WebSocket frame for /ws: a command or JSON frame, right or broken, or bytes; <c>Text</c> false for a binary frame.</summary>
    public (byte[] Payload, bool Text) WebSocketFrame(Random random) => random.Next(14) switch
    {
        0 => (Utf8($"/subscribe {FuzzFixture.Topic} {fixture.TopicTokens[0]}"), true),
        1 => (Utf8($"/subscribe {OddString(random, 40)} {Token(random)} {OddString(random, 20)}"), true),
        2 => (Utf8(random.Next(2) == 0 ? "/unsubscribe-all" : "/unsubscribe " + OddString(random, 30)), true),
        3 => (Utf8(Json(new Obj { ["type"] = "subscribe", ["stream_id"] = fixture.PollStreamId, ["token"] = fixture.StreamTopicToken, ["after"] = Value(random, 0) })), true),
        4 => (Utf8(Json(new Obj { ["type"] = "ack", ["stream_id"] = fixture.PollStreamId, [random.Next(2) == 0 ? "jti" : "position"] = Value(random, 0) })), true),
        5 => (Utf8(Json(new Obj { ["type"] = "subscribe", ["topic"] = random.Next(2) == 0 ? FuzzFixture.Topic : OddString(random, 30), ["token"] = Token(random), ["since"] = Value(random, 0) })), true),
        6 => (Utf8(Json(new Obj { ["type"] = Value(random, 0), ["stream_id"] = Value(random, 0), ["topic"] = Value(random, 0), ["token"] = Value(random, 0) })), true),
        7 => (Utf8(Json(new Obj { ["type"] = "subscribe", ["topic"] = "a\ud800", ["token"] = "\udc00" })), true),
        8 => (Utf8(Nested(random)), true),
        9 => (RandomBytes(random, 2000), random.Next(2) == 0),
        10 => ([.. Utf8("/subscribe "), 0xff, 0xfe, 0xc0, 0xaf, .. Utf8(" x")], true),
        11 => (Utf8(OddString(random, random.Next(3) == 0 ? 100_000 : 200)), true),
        12 => (Utf8("{\"type\":\"unsubscribe\",\"stream_id\":" + OddNumbers[random.Next(OddNumbers.Length)] + "}"), true),
        _ => (Utf8(Json(new Obj { ["type"] = "unsubscribe", ["topic"] = FuzzFixture.Topic })), true),
    };

    /// <summary>A <c>Last-Event-ID</c> for an SSE connection: a number, an odd one, or text.</summary>
    public static string LastEventId(Random random) => AsciiHeader(random);

    private string Path(Random random, FuzzEndpoint endpoint)
    {
        var path = new StringBuilder();
        foreach (var segment in endpoint.Pattern.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            path.Append('/');
            if (segment.StartsWith('{'))
            {
                var name = segment.Trim('{', '}', '*');
                path.Append(random.Next(5) < 3 ? Uri.EscapeDataString(RealId(random, name, endpoint.Method)) : PercentEncoded(random, OddString(random, random.Next(10) == 0 ? 5000 : 60)));
            }
            else
            {
                path.Append(segment);
            }
        }

        if (path.Length == 0)
        {
            path.Append('/');
        }

        if (random.Next(12) == 0)
        {
            path.Append(random.Next(2) == 0 ? "/" : "/" + PercentEncoded(random, OddString(random, 30)));
        }

        if (random.Next(2) == 0)
        {
            var count = 1 + random.Next(3);
            for (var i = 0; i < count; i++)
            {
                path.Append(i == 0 ? '?' : '&')
                    .Append(random.Next(6) == 0 ? PercentEncoded(random, OddString(random, 20)) : QueryNames[random.Next(QueryNames.Length)])
                    .Append('=')
                    .Append(random.Next(2) == 0 ? Uri.EscapeDataString(RealId(random, "stream_id", endpoint.Method)) : PercentEncoded(random, OddString(random, random.Next(10) == 0 ? 3000 : 40)));
            }
        }

        return path.ToString();
    }

    /// <summary>A real id for a route or query parameter; a DELETE takes only the expendable ones.</summary>
    private string RealId(Random random, string name, string method)
    {
        IReadOnlyList<string> pool = name switch
        {
            _ when name.Contains("client", StringComparison.OrdinalIgnoreCase) => method == "DELETE" ? fixture.ExpendableClientIds : fixture.ClientIds,
            _ when name.Contains("jti", StringComparison.OrdinalIgnoreCase) => fixture.Jtis,
            "project" => fixture.Projects,
            _ when random.Next(8) == 0 => fixture.Jtis,
            _ => method == "DELETE" ? fixture.ExpendableStreamIds : fixture.StreamIds,
        };
        return pool[random.Next(pool.Count)];
    }

    private (byte[] Body, string? MediaType) Body(Random random, FuzzEndpoint endpoint)
    {
        var pushes = endpoint.Pattern.StartsWith("/ssf/push", StringComparison.Ordinal);
        var takesForm = endpoint.Pattern == "/oauth/token";
        switch (random.Next(pushes || takesForm ? 16 : 13))
        {
            case 0:
                return (RandomBytes(random, random.Next(4) == 0 ? 70_000 : 2000), MediaTypes[random.Next(MediaTypes.Length)]);
            case 1:
                // Invalid UTF-8 inside a JSON string: a lone continuation byte, an overlong slash, a surrogate encoded directly, a cut sequence.
                byte[][] invalid = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0xff]];
                return ([.. Utf8("{\"" + Member(random, endpoint) + "\":\"a"), .. invalid[random.Next(invalid.Length)], .. Utf8("b\"}")], JsonMediaType);
            case 2:
                return (Utf8(Json(Shape(random, endpoint, wrongTypes: false), surrogates: true)), JsonMediaType);
            case 3:
                return (Utf8(Nested(random)), JsonMediaType);
            case 4:
            case 5:
            case 6:
                return (Utf8(Json(Shape(random, endpoint, wrongTypes: true))), JsonMediaType);
            case 7:
                return (Utf8(Json(Shape(random, endpoint, wrongTypes: false))), JsonMediaType);
            case 8:
                var text = Json(Shape(random, endpoint, wrongTypes: false));
                return (Utf8(text[..random.Next(text.Length + 1)]), JsonMediaType);
            case 9:
                string[] scalars = ["", "null", "[]", "{}", "\"x\"", "1", "true", "{\"a\":1,\"a\":2}", "{\"stream_id\":\"x\",\"stream_id\":\"y\"}", "{", "[1,]", "{'a':1}", "\ufeff{}", "{} {}", "NaN"];
                return (Utf8(scalars[random.Next(scalars.Length)]), JsonMediaType);
            case 10:
                var member = Member(random, endpoint);
                return (Utf8("{\"" + member + "\":\"" + new string('x', random.Next(2) == 0 ? 70_000 : 1_100_000) + "\"}"), JsonMediaType);
            case 11:
                return (Utf8("{\"" + Member(random, endpoint) + "\":" + (random.Next(2) == 0 ? new string('9', 5000) : OddNumbers[random.Next(OddNumbers.Length)]) + "}"), JsonMediaType);
            case 12:
                return (Utf8(BadJwt(random)), "application/secevent+jwt");
            case 13:
            case 14:
                return pushes ? (Utf8(BadJwt(random)), "application/secevent+jwt") : Form(random);
            default:
                return pushes ? (Utf8(Json(Shape(random, endpoint, wrongTypes: true))), "application/secevent+jwt") : Form(random);
        }
    }

    private static (byte[] Body, string MediaType) Form(Random random) => random.Next(5) switch
    {
        0 => (Utf8("grant_type=client_credentials&scope=" + Uri.EscapeDataString(random.Next(2) == 0 ? "ssf.read" : OddString(random, 30))), "application/x-www-form-urlencoded"),
        1 => (Utf8("grant_type=%zz&scope=%ff%fe&=&&a=" + new string('a', random.Next(2) == 0 ? 10 : 200_000)), "application/x-www-form-urlencoded"),
        2 => (Utf8("--fuzz\r\nContent-Disposition: form-data; name=\"grant_type\"\r\n\r\nclient_credentials\r\n--fuzz--\r\n"), "multipart/form-data; boundary=fuzz"),
        3 => (RandomBytes(random, 3000), "multipart/form-data; boundary=" + (random.Next(2) == 0 ? "fuzz" : "\"")),
        _ => (Utf8("--fuzz\r\nContent-Disposition: form-data; name=\"" + OddString(random, 20) + "\"; filename=\"x\"\r\nContent-Type: text/plain\r\n\r\n" + OddString(random, 200)), "multipart/form-data; boundary=fuzz"),
    };

    /// <summary>The members of the endpoint's body, each with a value of the right type or, with <paramref name="wrongTypes"/>, often another.</summary>
    private Obj Shape(Random random, FuzzEndpoint endpoint, bool wrongTypes)
    {
        var names = Members.TryGetValue(endpoint.Pattern, out var known) ? known : [.. Enumerable.Range(0, 1 + random.Next(4)).Select(_ => AllMembers[random.Next(AllMembers.Length)]).Distinct()];
        var shape = new Obj();
        foreach (var name in names)
        {
            if (random.Next(4) == 0)
            {
                continue;
            }

            shape[name] = wrongTypes && random.Next(2) == 0 ? Value(random, 0) : RightValue(random, name);
        }

        if (random.Next(10) == 0)
        {
            shape[OddString(random, 20)] = Value(random, 0);
        }

        return shape;
    }

    private static string Member(Random random, FuzzEndpoint endpoint) =>
        Members.TryGetValue(endpoint.Pattern, out var known) ? known[random.Next(known.Length)] : AllMembers[random.Next(AllMembers.Length)];

    /// <summary>A value of the type the member takes, with real ids and tokens where it names one; every URL is loopback.</summary>
    private object? RightValue(Random random, string member) => member switch
    {
        "stream_id" or "source_stream_id" => RealId(random, member, "POST"),
        "delivery" => random.Next(2) == 0
            ? new Obj { ["method"] = "urn:ietf:rfc:8936" }
            : new Obj { ["method"] = "urn:ietf:rfc:8935", ["endpoint_url"] = FuzzFixture.DeadLoopbackUrl + "/" + Uri.EscapeDataString(OddString(random, 10)), ["authorization_header"] = OddString(random, 30) },
        "events_requested" => new List<object?> { EventTypes[random.Next(EventTypes.Length)], OddString(random, 30) },
        "direction" => random.Next(3) == 0 ? "inbound" : "outbound",
        "route_mode" => random.Next(2) == 0 ? "forward" : "republish",
        "project" => fixture.Projects[random.Next(fixture.Projects.Count)],
        "source" => new Obj { ["issuer"] = FuzzFixture.DeadLoopbackUrl, ["jwks_uri"] = FuzzFixture.DeadLoopbackUrl + "/jwks", ["echo"] = random.Next(2) == 0, [random.Next(2) == 0 ? "authorization_header" : "client_id"] = OddString(random, 20) },
        "status" => new[] { "enabled", "paused", "disabled", "Enabled" }[random.Next(4)],
        "subject" or "sub_id" => new Obj { ["format"] = random.Next(3) == 0 ? OddString(random, 10) : "email", ["email"] = OddString(random, 30) + "@example.com" },
        "verified" or "returnImmediately" or "dry_run" or "now" or "single_use" => member == "returnImmediately" || random.Next(2) == 0,
        "maxEvents" or "from_position" or "expires_in" => Raw(random.Next(2) == 0 ? random.Next(0, 100).ToString(CultureInfo.InvariantCulture) : OddNumbers[random.Next(OddNumbers.Length)]),
        "ack" or "jtis" => new List<object?> { fixture.Jtis[0], OddString(random, 20) },
        "setErrs" => new Obj { [fixture.Jtis[0]] = new Obj { ["err"] = "invalid_request", ["description"] = OddString(random, 40) } },
        "events" => new Obj { [EventTypes[random.Next(EventTypes.Length)]] = new Obj { ["initiating_entity"] = "admin", ["reason_admin"] = new Obj { ["en"] = OddString(random, 30) } } },
        "event" => new Obj { ["events"] = RightValue(random, "events"), ["sub_id"] = RightValue(random, "sub_id") },
        "toe" => Raw(OddNumbers[random.Next(OddNumbers.Length)]),
        "from_time" => random.Next(2) == 0 ? "2026-01-01T00:00:00Z" : OddString(random, 20),
        "from_jti" or "jti" => fixture.Jtis[0],
        "topic" => random.Next(2) == 0 ? FuzzFixture.Topic : OddString(random, 30),
        "token" => Token(random),
        "algorithm" => new[] { "ES256", "RS256", "PS256", "none", "HS256" }[random.Next(5)],
        "scope" => random.Next(2) == 0 ? "ssf.read" : OddString(random, 30),
        _ => OddString(random, 60),
    };

    /// <summary>Any JSON value: text, an odd number, a literal, an array or object, a real id or a token.</summary>
    private object? Value(Random random, int depth) => random.Next(depth > 2 ? 6 : 9) switch
    {
        0 => OddString(random, random.Next(8) == 0 ? 20_000 : 50),
        1 => Raw(OddNumbers[random.Next(OddNumbers.Length)]),
        2 => random.Next(2) == 0,
        3 => null,
        4 => RealId(random, "stream_id", "POST"),
        5 => Token(random),
        6 => new List<object?> { Value(random, depth + 1), Value(random, depth + 1) },
        7 => new Obj { [OddString(random, 10)] = Value(random, depth + 1) },
        _ => new Obj(),
    };

    private string Token(Random random) => random.Next(3) == 0 ? fixture.TopicTokens[random.Next(fixture.TopicTokens.Count)] : BadJwt(random);

    /// <summary>A JWT that is cut short or carries odd headers or claims: <c>alg</c> none or HMAC, <c>crit</c>, <c>b64</c>, a path in <c>kid</c>, <c>exp</c> as text or out of range, lone surrogates, the wrong number of parts.</summary>
    private string BadJwt(Random random)
    {
        if (random.Next(4) == 0)
        {
            var real = fixture.TopicTokens[random.Next(fixture.TopicTokens.Count)];
            return real[..random.Next(real.Length)];
        }

        string[] headers =
        [
            """{"alg":"none"}""", """{"alg":"HS256","typ":"JWT"}""", """{"alg":"ES256","crit":["exp"]}""", """{"alg":"ES256","b64":false,"crit":["b64"]}""",
            """{"alg":"ES256","kid":"../../../etc/passwd"}""", """{"alg":"ES256","jku":"http://127.0.0.1:9/keys"}""", """{"alg":"ES256","alg":"none"}""",
            """{"typ":"secevent+jwt","alg":"RS256","kid":"x"}""", """{"alg":123}""", "[]", "null", """{"alg":"ES256","kid":"\ud800"}""", "{", """{"alg":"RSA-OAEP","enc":"A256GCM"}""",
            "{\"alg\":\"ES256\",\"x5u\":\"http://127.0.0.1:9/c\",\"kid\":\"" + new string('k', 5000) + "\"}",
        ];
        string[] claims =
        [
            """{"exp":"tomorrow","topic":"fuzz","scope":"subscribe"}""", """{"exp":1e30,"topic":"fuzz","scope":"broadcast"}""", """{"nbf":-1e30,"exp":99999999999999999999}""",
            """{"iss":"http://127.0.0.1:9","jti":"\ud800","iat":1,"aud":["a","b"],"events":{"x":{}}}""", "{}", "[]", """{"topic":["a",1,null],"topics":"x","scope":{"a":1}}""",
            """{"iss":"http://127.0.0.1:9","jti":"j","iat":1e400,"events":{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{}},"sub_id":{"format":"email","email":1}}""",
            """{"aud":"x","aud":"y"}""", "not json",
        ];
        var parts = new List<string>
        {
            Base64Url(Utf8(headers[random.Next(headers.Length)])),
            Base64Url(Utf8(claims[random.Next(claims.Length)])),
            random.Next(3) switch { 0 => "", 1 => "!!not-base64!!", _ => Base64Url(RandomBytes(random, 64)) },
        };
        if (random.Next(6) == 0)
        {
            parts.Add(Base64Url(RandomBytes(random, 16)));
            parts.Add("");
        }

        return string.Join('.', parts.Take(random.Next(6) == 0 ? 1 + random.Next(parts.Count) : parts.Count));
    }

    /// <summary>Deeply nested arrays or objects, closed or not: past the reader's depth limit (64) and far past it.</summary>
    private static string Nested(Random random)
    {
        var depth = random.Next(2) == 0 ? 60 + random.Next(10) : 1000 + random.Next(20_000);
        var open = random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var text = new StringBuilder(depth * (open.Length + 1));
        for (var i = 0; i < depth; i++)
        {
            text.Append(open);
        }

        text.Append('1');
        if (random.Next(3) != 0)
        {
            for (var i = 0; i < depth; i++)
            {
                text.Append(close);
            }
        }

        return text.ToString();
    }

    /// <summary>Text built from <see cref="OddPieces"/>, up to about <paramref name="max"/> characters (a lone surrogate included: it stays in a .NET string).</summary>
    private static string OddString(Random random, int max)
    {
        var length = random.Next(max + 1);
        var text = new StringBuilder(length + 8);
        while (text.Length < length)
        {
            text.Append(random.Next(3) == 0 ? OddPieces[random.Next(OddPieces.Length)] : ((char)('a' + random.Next(26))).ToString());
        }

        return text.ToString();
    }

    /// <summary>Text as a path or query part: unreserved ASCII kept, everything else as percent-encoded UTF-8 (a lone surrogate as its three bytes), now and then a raw bad escape.</summary>
    private static string PercentEncoded(Random random, string value)
    {
        var text = new StringBuilder(value.Length * 3);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~')
            {
                text.Append(c);
            }
            else if (char.IsSurrogate(c) && !(char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])))
            {
                // CESU-style bytes of a lone surrogate: invalid UTF-8 in a path.
                text.Append(CultureInfo.InvariantCulture, $"%{0xe0 | (c >> 12):X2}%{0x80 | ((c >> 6) & 0x3f):X2}%{0x80 | (c & 0x3f):X2}");
            }
            else
            {
                var length = char.IsHighSurrogate(c) ? 2 : 1;
                foreach (var b in Encoding.UTF8.GetBytes(value.Substring(i, length)))
                {
                    text.Append(CultureInfo.InvariantCulture, $"%{b:X2}");
                }

                i += length - 1;
            }
        }

        if (random.Next(10) == 0)
        {
            text.Append(random.Next(2) == 0 ? "%ff%c0%af" : "%00");
        }

        return text.ToString();
    }

    /// <summary>A header value of printable ASCII (an HTTP client refuses others before sending): numbers, odd numbers, text.</summary>
    private static string AsciiHeader(Random random) => random.Next(4) switch
    {
        0 => random.Next(0, 1000).ToString(CultureInfo.InvariantCulture),
        1 => OddNumbers[random.Next(OddNumbers.Length)],
        2 => new string('9', random.Next(1, 400)),
        _ => new string([.. Enumerable.Range(0, random.Next(60)).Select(_ => (char)random.Next(' ', '~' + 1))]),
    };

    private static byte[] RandomBytes(Random random, int max)
    {
        var bytes = new byte[random.Next(max + 1)];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static RawJson Raw(string text) => new(text);

    /// <summary>JSON text written by hand, so that it can hold what serializers refuse: numbers past any type, and (with <paramref name="surrogates"/>) every non-ASCII character as a <c>\u</c> escape, lone surrogates included.</summary>
    private static string Json(object? value, bool surrogates = false)
    {
        var text = new StringBuilder();
        Write(text, value, surrogates);
        return text.ToString();
    }

    private static void Write(StringBuilder text, object? value, bool escapeAll)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case bool flag:
                text.Append(flag ? "true" : "false");
                break;
            case RawJson raw:
                text.Append(raw.Text);
                break;
            case string s:
                WriteString(text, s, escapeAll);
                break;
            case Obj members:
                text.Append('{');
                var first = true;
                foreach (var (name, member) in members)
                {
                    text.Append(first ? "" : ",");
                    first = false;
                    WriteString(text, name, escapeAll);
                    text.Append(':');
                    Write(text, member, escapeAll);
                }

                text.Append('}');
                break;
            case List<object?> items:
                text.Append('[');
                for (var i = 0; i < items.Count; i++)
                {
                    text.Append(i == 0 ? "" : ",");
                    Write(text, items[i], escapeAll);
                }

                text.Append(']');
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(value), value.GetType().Name, "not a JSON value of the generator");
        }
    }

    /// <summary>A JSON string; a lone surrogate always as an escape (it has no UTF-8 form), other non-ASCII as an escape when <paramref name="escapeAll"/>.</summary>
    private static void WriteString(StringBuilder text, string value, bool escapeAll)
    {
        text.Append('"');
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var paired = char.IsHighSurrogate(c) ? i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]) : char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(value[i - 1]);
            if (c is '"' or '\\' or < ' ' || (char.IsSurrogate(c) && !paired) || (escapeAll && c > '~'))
            {
                text.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                text.Append(c);
            }
        }

        text.Append('"');
    }

    /// <summary>A JSON object of the generator, members in insertion order.</summary>
    private sealed class Obj : List<KeyValuePair<string, object?>>
    {
        public object? this[string name]
        {
            set => Add(new(name, value));
        }
    }

    /// <summary>JSON text written as it is: a number no .NET type holds.</summary>
    private sealed record RawJson(string Text);
}
