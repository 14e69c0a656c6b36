using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using ApManager.Api.Transfer;
using ApManager.Core.Masks;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>A route as the endpoint data source declares it, with the least role it requires (null: anonymous).</summary>
public sealed record FuzzRoute(string Method, string Pattern, string? Role = null)
{
    public string Key => $"{Method} {Pattern}";
}

/// <summary>One generated request, with what the oracles need to know about it.</summary>
public sealed class FuzzRequest
{
    public required string Method { get; init; }

    /// <summary>Path and query, already percent-encoded as sent.</summary>
    public required string Target { get; init; }

    /// <summary>The route this request was generated for (or <c>(unknown)</c>/<c>(extra)</c>).</summary>
    public required string Route { get; init; }

    public string? Authorization { get; init; }

    public byte[]? Body { get; init; }

    public string? ContentType { get; init; }

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>The bytes the mask parser will see, per attribute, when the body reaches it intact.</summary>
    public Dictionary<string, byte[]> MaskBytes { get; } = [];

    /// <summary>What each mask write does to the current mask, where the generator knows it.</summary>
    public Dictionary<string, Func<ApMask, ApMask>> MaskModels { get; } = [];

    public bool Streams { get; init; }

    public string Describe()
    {
        var body = Body is null ? "(none)" : $"{Body.Length} bytes: {Printable(Body, 160)}";
        var headers = string.Join("; ", Headers.Select(h => $"{h.Key}: {Printable(Encoding.UTF8.GetBytes(h.Value), 80)}"));
        var auth = Authorization is null ? "(none)" : Printable(Encoding.UTF8.GetBytes(Authorization), 60);
        var target = Target.Length > 300 ? Target[..300] + $"…({Target.Length} chars)" : Target;
        return $"{Method} {target} [route {Route}] auth={auth} content-type={ContentType ?? "(none)"} headers={headers} body={body}";
    }

    public static string Printable(ReadOnlySpan<byte> bytes, int max)
    {
        var b = new StringBuilder();
        foreach (var c in bytes[..Math.Min(bytes.Length, max)])
        {
            if (c is >= 0x20 and < 0x7f and not (byte)'\\')
            {
                b.Append((char)c);
            }
            else
            {
                b.Append("\\x").Append(c.ToString("x2", CultureInfo.InvariantCulture));
            }
        }
        if (bytes.Length > max)
        {
            b.Append("…");
        }
        return b.ToString();
    }
}

/// <summary>
/// Generates hostile requests from a seeded <see cref="Random"/>: mutated kernel mask syntax,
/// malformed/oversized/mistyped JSON, invalid UTF-8, wrong methods and media types, junk path
/// values and query parameters, bad If-Match and Authorization headers.
/// </summary>
public sealed class HostileRequests(Random rng, IReadOnlyList<FuzzRoute> routes)
{
    public const string TextPlain = "text/plain";
    public const string Json = "application/json";

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO"];

    private static readonly string[] JunkContentTypes =
    [
        "application/xml", "text/html", "application/json; charset=utf-16", "application/json;;", "application/",
        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "APPLICATION/JSON", "application/merge-patch+json",
        "*/*", "text/plain; charset=iso-8859-1", "application/problem+json", "json", "text/plain; charset=utf-8", ";",
        "application/json; charset=\"", "application/octet-stream", "text/PLAIN", "application/json, text/plain",
    ];

    private static readonly string[] MaskCorpus =
    [
        "", "\n", "0x", "x", "0x\n", "+5", "+6", "+5,+6", "-7", "+7", "-3", "+0-255", "-0-255", "-0-255,+255", "+0x10000000000000005",
        "+18446744073709551616", "+18446744073709551615", "+4294967296", "+2147483648", "+0x100000000", "+2\0+zz", "0X8", "x8\n",
        "+08", "+09", "+07,+010", "+5-2", "+1-3-2", "+1-2-3", "\0", "\0junk", "+", "-", "+,", "++5", "+-5", "+ 5", "+5\r\n",
        "+5;+6", "+5 ,+6", "0x" + new string('f', 64), "0x" + new string('0', 65), "0x" + new string('f', 64) + "\n\n",
        "0xf9" + new string('f', 62), " 0x1", "\t+1", "+0x", "+0xg", "+0X1f", "-0x0-0xff", "+255", "+256", "-256", "+1-256",
        "+0-0x" + new string('f', 70), "+0x" + new string('1', 70), "+0" + new string('7', 40), "+" + new string('9', 80),
        "0x1\0\n\n\n", "+1\n\n,,\n,+2", "+1,,,", ",+1", "\n+1", "0x\r", "x\n",
    ];

    private static readonly string[] RelativeSeparators = [",", "\n", ",,", ",\n", "\n\n", string.Empty];

    private static readonly string[] JunkSegments =
    [
        "", "%00", "%ff%fe", "..", "%2e%2e", "%2F", "a%2Fb", "%20", "%0a", "%0d%0a", "null", "undefined", "-1", "%25", "%C3%BC",
        "%E2%80%AE", "%F0%9F%92%A9", "%ED%A0%80", "%C0%AF", "{uuid}", "*", "~", ";x=1", "$", "%3Cscript%3E", "true", "0x0",
    ];

    private static readonly string[] ProblemNames =
    [
        "invalid-mask", "queues-in-use", "not-found", "forbidden", "internal-error", "nope", "INVALID-MASK", "..%2F..%2Fetc%2Fpasswd",
    ];

    private static readonly string[] ExtraPaths =
    [
        "/", "/swagger", "/swagger/", "/swagger/index.html", "/swagger/v1/swagger.json", "/swagger/v2/swagger.json", "/metrics",
        "/api", "/api/", "/api/unknown", "/api/bus/apmask/extra", "/api/bus/masks/x", "/api/queues/05.0004/x", "//api//bus",
        "/api/./bus", "/api/bus/../bus", "/API/BUS", "/api/bus%2Fapmask", "/%ff", "/api/mdevs/" + ApManagerApplication.DeviceA + "/nothing",
        "/api/mdevs/" + ApManagerApplication.DeviceA + "/adapters", "/api/adapters/5/configured/x", "/health", "/health/nope",
        "/problems/", "/api/events/x", "/api/audit/1", "/api/import/x", "/api/drivers/cex4queue", "/favicon.ico", "/.env",
        "/api/mdevs//guest", "/api/bus/apmask%00", "/api/bus/aqmask;jsessionid=1",
    ];

    private static readonly string[] JunkAuth =
    [
        "Bearer", "Bearer ", "Basic dGVzdDp0ZXN0", "Bearer test-admin-key-x", "bearer " + ApManagerApplication.AdminKey,
        "Bearer  " + ApManagerApplication.AdminKey + "  ", "Bearer a.b.c", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "Token xyz",
        "Bearer " + ApManagerApplication.AdminKey + "\t", "Negotiate abc", "Bearer " + new string('k', 5000), "Bearer \u00e9\u00e8",
        "Bearer test-admin-key, Bearer test-viewer-key", "BEARER " + ApManagerApplication.ViewerKey, "Bearer %00",
    ];

    private static readonly string[] JunkIfMatch =
    [
        "*", "\"1\"", "W/\"1\"", "\"abc\"", "\"", "\"\"", "1", "\"-1\"", "\"99999999999999999999\"", "\"1\", \"2\"", " \"3\" ",
        "\"9223372036854775807\"", "\"0\"", "\"+1\"", "\"1 \"", "\"0x1\"", new string('"', 3000), "*, \"1\"", "\"\u00e9\"",
    ];

    private readonly Random _rng = rng;
    private readonly IReadOnlyList<FuzzRoute> _routes = routes;
    private readonly List<FuzzRoute> _maskRoutes = [.. routes.Where(r => r.Pattern.StartsWith("/api/bus/", StringComparison.Ordinal) && r.Method != "GET")];

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private bool Chance(double p) => _rng.NextDouble() < p;

    // ------------------------------------------------------------------ requests

    /// <summary>One request against <paramref name="s"/> (the state decides which ids exist).</summary>
    public FuzzRequest Next(ApSnapshot s, FuzzRoute? forced = null)
    {
        string method, route, path;
        FuzzRoute? target = forced;
        var roll = _rng.NextDouble();
        if (target is null && roll < 0.06)
        {
            route = "(extra)";
            path = Pick(ExtraPaths);
            method = Chance(0.7) ? "GET" : Pick(Methods);
        }
        else if (target is null && roll < 0.09)
        {
            route = "(unknown)";
            path = "/" + string.Join("/", Enumerable.Range(0, _rng.Next(1, 5)).Select(_ => Segment()));
            method = Pick(Methods);
        }
        else
        {
            // The mask writes are the heart of the product: they get extra weight.
            target ??= Chance(0.15) && _maskRoutes.Count > 0 ? Pick(_maskRoutes) : Pick(_routes);
            route = target.Key;
            path = FillPattern(target.Pattern, s);
            method = forced is not null || Chance(0.85) ? target.Method : Pick(Methods);
        }

        var query = Query(route);
        var (body, contentType, masks) = BodyFor(target, method, s);
        var request = new FuzzRequest
        {
            Method = method,
            Target = path + query,
            Route = route,
            Authorization = Authorization(),
            Body = body,
            ContentType = contentType,
            Streams = path.StartsWith("/api/events", StringComparison.OrdinalIgnoreCase),
        };
        foreach (var (attribute, bytes, model) in masks)
        {
            request.MaskBytes[attribute] = bytes;
            if (model is not null)
            {
                request.MaskModels[attribute] = model;
            }
        }
        if (Chance(0.25))
        {
            request.Headers.Add(new("If-Match", IfMatch(target, s)));
        }
        if (Chance(0.05))
        {
            request.Headers.Add(new("Last-Event-ID", Pick<string>(["0", "-1", "abc", "99999999999999999999", "1", " 2"])));
        }
        if (Chance(0.05))
        {
            request.Headers.Add(new("Accept", Pick<string>(["text/plain", "application/xml", "*/*", "text/plain, application/json", "\u00e9"])));
        }
        if (Chance(0.02))
        {
            request.Headers.Add(new("Origin", Pick<string>(["https://evil.example", "null", "http://localhost"])));
        }
        return request;
    }

    private string? Authorization()
    {
        var roll = _rng.NextDouble();
        return roll switch
        {
            < 0.70 => "Bearer " + ApManagerApplication.AdminKey,
            < 0.78 => "Bearer " + ApManagerApplication.OperatorKey,
            < 0.85 => "Bearer " + ApManagerApplication.ViewerKey,
            < 0.91 => null,
            _ => Pick(JunkAuth),
        };
    }

    private string IfMatch(FuzzRoute? route, ApSnapshot s)
    {
        if (Chance(0.5))
        {
            var version = route?.Pattern switch
            {
                { } p when p.StartsWith("/api/bus", StringComparison.Ordinal) => s.Bus.Version,
                { } p when p.Contains("{uuid}", StringComparison.Ordinal) && s.Mdevs.Count > 0 => Pick(s.Mdevs).Version,
                { } p when p.Contains("/adapters/", StringComparison.Ordinal) => s.Adapters.First().Version,
                _ => s.Version,
            };
            version += Chance(0.7) ? 0 : _rng.Next(-2, 3);
            return "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";
        }
        return Pick(JunkIfMatch);
    }

    // ------------------------------------------------------------------ paths and queries

    private string FillPattern(string pattern, ApSnapshot s)
    {
        var parts = pattern.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = parts[i] switch
            {
                "{uuid}" => Uuid(s),
                "{id}" => Id(),
                "{apqn}" => ApqnText(s),
                "{name}" => Chance(0.6) ? Pick(ProblemNames) : Segment(),
                var p => p,
            };
        }
        return string.Join("/", parts);
    }

    private string Uuid(ApSnapshot s)
    {
        var roll = _rng.NextDouble();
        if (roll < 0.55 && s.Mdevs.Count > 0)
        {
            var id = (_rng.Next(3) switch
            {
                0 when s.Mdev(Core.Matrix.MdevId.Parse(ApManagerApplication.DeviceA)) is not null => ApManagerApplication.DeviceA,
                1 when s.Mdev(Core.Matrix.MdevId.Parse(ApManagerApplication.DeviceB)) is not null => ApManagerApplication.DeviceB,
                _ => Pick(s.Mdevs).Id.ToString(),
            });
            return Chance(0.1) ? id.ToUpperInvariant() : id;
        }
        if (roll < 0.7)
        {
            return NewGuid().ToString("D");
        }
        return _rng.Next(8) switch
        {
            0 => NewGuid().ToString("N"),
            1 => NewGuid().ToString("B"),
            2 => NewGuid().ToString("D")[..35],
            3 => NewGuid().ToString("D") + "0",
            4 => NewGuid().ToString("D").Replace('a', 'g').Replace('1', 'z'),
            5 => new string('a', _rng.Next(100, 9000)),
            6 => NewGuid().ToString("D").Insert(_rng.Next(36), Pick(JunkSegments)),
            _ => Segment(),
        };
    }

    public Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _rng.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0f) | 0x40);
        bytes[8] = (byte)((bytes[8] & 0x3f) | 0x80);
        return new Guid(bytes);
    }

    private string Id()
    {
        var roll = _rng.NextDouble();
        if (roll < 0.6)
        {
            return (_rng.Next(4) switch
            {
                0 => _rng.Next(3, 8),
                1 => _rng.Next(0, 85),
                2 => _rng.Next(0, 256),
                _ => Pick<int>([0, 63, 64, 84, 85, 255, 256, 257]),
            }).ToString(CultureInfo.InvariantCulture);
        }
        string[] junk =
        [
            "-1", "+5", "0x5", "05", "5.0", "%205", "5%20", "18446744073709551616", "99999999999999999999999", "9223372036854775807",
            "9223372036854775808", "4294967296", "2147483648", "\u0665", "%D9%A5", "1e2", "0b101", "five", "", "00000000000000000000000000005",
        ];
        return _rng.Next(junk.Length + 2) switch
        {
            var i when i < junk.Length => junk[i],
            var i when i == junk.Length => new string('9', _rng.Next(20, 5000)),
            _ => Segment(),
        };
    }

    private string ApqnText(ApSnapshot s)
    {
        if (Chance(0.5))
        {
            var queues = s.Queues.ToList();
            if (queues.Count > 0)
            {
                var text = Pick(queues).Apqn.ToString();
                return Chance(0.1) ? text.ToUpperInvariant() : text;
            }
        }
        string[] junk =
        [
            "05.0004", "3f.00ff", "0A.004B", "05.0100", "5.4", "05.00004", "05-0004", "%30%35.0004", "ff.ffff", "zz.0004", "05.",
            ".0004", "05.0004.", "05%2E0004", "-5.0004", "0x5.0x4", "05.00ff", "00.0000",
        ];
        var pick = _rng.Next(junk.Length + 1);
        return pick < junk.Length ? junk[pick] : Segment();
    }

    private string Segment()
    {
        if (Chance(0.6))
        {
            return Pick(JunkSegments);
        }
        var length = Chance(0.1) ? _rng.Next(1000, 12000) : _rng.Next(1, 40);
        var b = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            var c = (char)_rng.Next(0x21, 0x7f);
            b.Append(c is '/' or '?' or '#' or '%' ? "%" + ((int)c).ToString("X2", CultureInfo.InvariantCulture) : c.ToString());
        }
        return b.ToString();
    }

    private string Query(string route)
    {
        if (Chance(0.45))
        {
            return string.Empty;
        }
        var pairs = new List<string>();
        var count = _rng.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            var roll = _rng.NextDouble();
            if (roll < 0.45)
            {
                pairs.Add("dryRun=" + Pick<string>(["true", "true", "false", "TRUE", "True", "1", "yes", "", "%20true%20", "tru", "null", "true,true"]));
            }
            else if (roll < 0.55 && route.Contains("/api/queues", StringComparison.Ordinal))
            {
                pairs.Add(Pick<string>(["adapter", "domain", "driver", "mdev"]) + "=" + Pick<string>(
                    ["5", "05", "256", "-1", "none", "vfio_ap", "cex4queue", "nope", "", ApManagerApplication.DeviceA, "0x5", "%00", "9999999999"]));
            }
            else if (roll < 0.65 && (route.Contains("/api/audit", StringComparison.Ordinal) || route.Contains("/api/events", StringComparison.Ordinal)))
            {
                pairs.Add(Pick<string>(["after", "limit", "access_token"]) + "=" + Pick<string>(
                    ["0", "1", "5", "-1", "0x10", "99999999999999999999", "1001", "1000", "abc", "", "1.5", "2147483648", ApManagerApplication.ViewerKey]));
            }
            else if (roll < 0.8)
            {
                pairs.Add(Pick<string>(["x", "dryrun", "DRYRUN", "dry_run", "%00", "", "a[b]", "limit", "after", "adapter", "uuid"]) + "=" + Segment());
            }
            else
            {
                pairs.Add(Pick<string>(["", "&", "=", "==", "dryRun", "dryRun=", "=true", "%ZZ", "%", "a=%zz"]));
            }
        }
        return "?" + string.Join("&", pairs);
    }

    // ------------------------------------------------------------------ bodies

    private (byte[]? Body, string? ContentType, List<(string, byte[], Func<ApMask, ApMask>?)> Masks) BodyFor(FuzzRoute? route, string method, ApSnapshot s)
    {
        var masks = new List<(string, byte[], Func<ApMask, ApMask>?)>();
        var pattern = route?.Pattern ?? string.Empty;
        var isMask = route is not null && route.Method == method && pattern is "/api/bus/apmask" or "/api/bus/aqmask";
        if (method is "GET" or "HEAD" or "OPTIONS" or "TRACE" && Chance(0.9))
        {
            return (null, null, masks);
        }
        if (isMask && Chance(0.35))
        {
            // Raw text/plain, exactly the bytes echo would write (possibly invalid UTF-8).
            var bytes = Mask();
            var attribute = pattern.EndsWith("apmask", StringComparison.Ordinal) ? "apmask" : "aqmask";
            masks.Add((attribute, bytes, LastMaskModel));
            var contentType = Chance(0.85) ? Pick<string>([TextPlain, "text/plain; charset=utf-8", "TEXT/PLAIN"]) : Pick(JunkContentTypes);
            return (bytes, contentType, masks);
        }

        JsonNode? node = pattern switch
        {
            "/api/bus/apmask" or "/api/bus/aqmask" => MaskObject("mask", pattern.EndsWith("apmask", StringComparison.Ordinal) ? "apmask" : "aqmask", masks),
            "/api/bus/masks" => PatchObject(masks),
            "/api/mdevs" => CreateObject(),
            "/api/mdevs/{uuid}/config" => ConfigObject(),
            "/api/mdevs/{uuid}/guest" => new JsonObject { ["name"] = GuestName(s) },
            "/api/adapters/{id}/configured" => new JsonObject { ["configured"] = Chance(0.5) },
            "/api/import" => ImportObject(s),
            _ => Chance(0.5) ? null : RandomValue(0),
        };
        if (node is null && Chance(0.6))
        {
            return (null, Chance(0.5) ? null : Json, masks);
        }
        var structurallyMutated = false;
        if (node is not null && Chance(0.3))
        {
            node = MutateStructure(node);
            structurallyMutated = true;
        }
        var text = node?.ToJsonString() ?? "null";
        var body = Encoding.UTF8.GetBytes(text);
        if (Chance(0.25))
        {
            body = MutateJsonBytes(body);
            structurallyMutated = true;
        }
        if (structurallyMutated)
        {
            // The mask the parser would see is no longer known.
            masks.Clear();
        }
        string? type = Chance(0.85) ? Pick<string>([Json, Json, "application/json; charset=utf-8", "application/merge-patch+json"]) : Pick(JunkContentTypes);
        if (Chance(0.04))
        {
            type = null;
        }
        if (pattern is "/api/bus/apmask" or "/api/bus/aqmask" &&
            System.Net.Http.Headers.MediaTypeHeaderValue.TryParse(type, out var media) && string.Equals(media.MediaType, TextPlain, StringComparison.OrdinalIgnoreCase))
        {
            // A JSON body sent as text/plain: the whole body is the mask.
            masks.Clear();
            masks.Add((pattern.EndsWith("apmask", StringComparison.Ordinal) ? "apmask" : "aqmask", body, null));
        }
        return (body, type, masks);
    }

    private JsonObject MaskObject(string member, string attribute, List<(string, byte[], Func<ApMask, ApMask>?)> masks)
    {
        var text = Encoding.UTF8.GetString(Mask());
        masks.Add((attribute, Encoding.UTF8.GetBytes(text), LastMaskModel));
        return new JsonObject { [member] = text };
    }

    private JsonObject PatchObject(List<(string, byte[], Func<ApMask, ApMask>?)> masks)
    {
        var o = new JsonObject();
        if (Chance(0.7))
        {
            o["apmask"] = MaskObject("x", "apmask", masks)["x"]!.DeepClone();
        }
        if (Chance(0.7))
        {
            o["aqmask"] = MaskObject("x", "aqmask", masks)["x"]!.DeepClone();
        }
        return o;
    }

    private JsonObject CreateObject()
    {
        var o = new JsonObject();
        if (Chance(0.5))
        {
            o["uuid"] = Chance(0.6) ? NewGuid().ToString(Chance(0.8) ? "D" : "N") : Pick<string>(
                [ApManagerApplication.DeviceA, ApManagerApplication.DeviceB, ApManagerApplication.DeviceA.ToUpperInvariant(), "", "x", "00000000-0000-0000-0000-000000000000"]);
        }
        if (Chance(0.5))
        {
            o["name"] = Chance(0.5) ? "fuzz-" + _rng.Next(1000).ToString(CultureInfo.InvariantCulture) : Pick<string>(
                ["", new string('n', 64), new string('n', 65), "a\u0000b", "tab\there", "line\nbreak", "\u202eevil", "\u00e9t\u00e9", "\ud83d\ude00",
                 new string('x', _rng.Next(100, 70000)), "\u007f", "\u0085"]);
        }
        return o;
    }

    private JsonObject ConfigObject()
    {
        JsonArray Ids(int max)
        {
            var a = new JsonArray();
            var n = Chance(0.1) ? _rng.Next(0, 400) : _rng.Next(0, 5);
            for (var i = 0; i < n; i++)
            {
                a.Add(Chance(0.9) ? _rng.Next(0, max + 1) : Pick<long>([-1, 64, 85, 255, 256, long.MaxValue, long.MinValue, int.MaxValue + 1L]));
            }
            return a;
        }
        var o = new JsonObject
        {
            ["adapters"] = Chance(0.5) ? Ids(7) : Ids(63),
            ["domains"] = Chance(0.5) ? new JsonArray(Pick<int>([4, 5, 6, 71, 72])) : Ids(84),
            ["controlDomains"] = Ids(84),
        };
        return o;
    }

    private string GuestName(ApSnapshot s)
    {
        if (Chance(0.3) && s.Guests.Count > 0)
        {
            return s.Guests.Keys.ElementAt(_rng.Next(s.Guests.Count));
        }
        return Chance(0.5) ? "fuzz-guest-" + _rng.Next(50).ToString(CultureInfo.InvariantCulture) : Pick<string>(
            ["", "-x", ".x", "a b", "a/b", new string('g', 64), new string('g', 65), "\u00e9", "g\u0000", "guest-a", "guest_1.2-3", "x\n"]);
    }

    private JsonNode ImportObject(ApSnapshot s)
    {
        var export = JsonSerializer.SerializeToNode(TransferEndpoints.ToExport(s), ApManagerApplication.Web)!.AsObject();
        if (Chance(0.5))
        {
            return export;
        }
        switch (_rng.Next(9))
        {
            case 0:
                export["apmask"] = Encoding.UTF8.GetString(Mask());
                break;
            case 1:
                export["aqmask"] = Encoding.UTF8.GetString(Mask());
                break;
            case 2:
                export["mdevs"]!.AsArray().Add(ImportedDevice("imported", "auto",
                    ("assign_adapter", Pick<string>(["5", "0x7", "010", "08", "+9\n", "99999999999999999999", "", "-1", "64", "0x"])),
                    ("assign_domain", Pick<string>(["0x4", "4", "0x47", "85", "0x", "abc"]))));
                break;
            case 3:
                export["mdevs"] = new JsonArray(Enumerable.Range(0, _rng.Next(1, 300)).Select(i => (JsonNode?)ImportedDevice(null, "manual",
                    ("assign_adapter", (8 + (i % 50)).ToString(CultureInfo.InvariantCulture)),
                    ("assign_domain", (i % 85).ToString(CultureInfo.InvariantCulture)))).ToArray());
                break;
            case 4:
                export["guests"]!.AsArray().Add(new JsonObject { ["name"] = GuestName(s), ["mdev"] = Pick<string>([ApManagerApplication.DeviceB, NewGuid().ToString(), "x"]) });
                break;
            case 5:
                export["adapters"]!.AsArray().Add(new JsonObject { ["id"] = Pick<int>([3, 5, 9, -1, 300]), ["configured"] = Chance(0.5) });
                break;
            case 6:
                export["format"] = Pick<string>(["apmanager/2", "", "APMANAGER/1"]);
                break;
            case 7:
                foreach (var m in export["mdevs"]!.AsArray())
                {
                    m!["mdevctl"]!["attrs"]!.AsArray().Add(new JsonObject { [Pick<string>(["assign_adapter", "assign_domain", "assign_control_domain", "unassign", "ASSIGN_ADAPTER"])] = Pick<string>(["3", "0x48", "84", "85", "0", "+0\n", "0x1\n\n"]) });
                }
                break;
            default:
                foreach (var m in export["mdevs"]!.AsArray())
                {
                    m!["name"] = Pick<string>(["", new string('n', 65), "ctl\u0001", "ok"]);
                }
                break;
        }
        return export;
    }

    private JsonObject ImportedDevice(string? name, string start, params (string Key, string Value)[] attrs)
    {
        var device = new JsonObject
        {
            ["uuid"] = NewGuid().ToString(),
            ["mdevctl"] = new JsonObject
            {
                ["mdev_type"] = "vfio_ap-passthrough",
                ["start"] = start,
                ["attrs"] = new JsonArray([.. attrs.Select(a => (JsonNode?)new JsonObject { [a.Key] = a.Value })]),
            },
        };
        if (name is not null)
        {
            device["name"] = name;
        }
        return device;
    }

    // ------------------------------------------------------------------ masks

    /// <summary>
    /// What the last generated mask does to the mask it is written to, when the generator knows it
    /// (valid absolute or relative syntax it built itself and did not mutate); null otherwise.
    /// </summary>
    public Func<ApMask, ApMask>? LastMaskModel { get; private set; }

    /// <summary>A mask write: valid kernel syntax, a corpus case or a long run, then possibly mutated.</summary>
    public byte[] Mask()
    {
        byte[] bytes;
        Func<ApMask, ApMask>? model = null;
        var roll = _rng.NextDouble();
        if (roll < 0.3)
        {
            bytes = Encoding.UTF8.GetBytes(Pick(MaskCorpus));
        }
        else if (roll < 0.5)
        {
            var digits = _rng.Next(0, 65);
            var b = new StringBuilder(Chance(0.8) ? "0x" : "x");
            var result = ApMask.Empty;
            for (var i = 0; i < digits; i++)
            {
                var c = "0123456789abcdefABCDEF"[_rng.Next(22)];
                b.Append(c);
                var value = Convert.ToInt32(c.ToString(), 16);
                for (var j = 0; j < 4; j++)
                {
                    if ((value & (8 >> j)) != 0)
                    {
                        result = result.With((4 * i) + j);
                    }
                }
            }
            if (Chance(0.3))
            {
                b.Append('\n');
            }
            bytes = Encoding.UTF8.GetBytes(b.ToString());
            model = _ => result;
        }
        else if (roll < 0.85)
        {
            var (text, terms) = Relative(_rng.Next(1, 7));
            bytes = Encoding.UTF8.GetBytes(text);
            if (terms is not null)
            {
                model = current =>
                {
                    foreach (var (set, a, z) in terms)
                    {
                        for (var bit = a; bit <= z; bit++)
                        {
                            current = set ? current.With(bit) : current.Without(bit);
                        }
                    }
                    return current;
                };
            }
        }
        else
        {
            bytes = LongRun();
        }
        if (Chance(0.45))
        {
            var n = _rng.Next(1, 5);
            for (var i = 0; i < n; i++)
            {
                bytes = MutateBytes(bytes);
            }
            model = null;
        }
        LastMaskModel = model;
        return bytes;
    }

    /// <summary>Relative terms; the terms are null when an empty separator makes a '-' term read as a range.</summary>
    private (string Text, List<(bool Set, int A, int Z)>? Terms) Relative(int count)
    {
        var b = new StringBuilder();
        List<(bool, int, int)>? terms = [];
        var glued = false;
        for (var t = 0; t < count; t++)
        {
            var set = Chance(0.5);
            if (glued && !set)
            {
                terms = null;
            }
            b.Append(set ? '+' : '-');
            var a = Chance(0.7) ? _rng.Next(0, 16) : _rng.Next(0, 256);
            var z = a;
            b.Append(Number(a));
            if (Chance(0.3))
            {
                z = Math.Min(255, a + _rng.Next(0, 40));
                b.Append('-').Append(Number(z));
            }
            terms?.Add((set, a, z));
            var separator = Pick(RelativeSeparators);
            glued = separator.Length == 0;
            b.Append(separator);
        }
        return (b.ToString(), terms);
    }

    private string Number(int n) => _rng.Next(5) switch
    {
        0 => "0x" + n.ToString(Chance(0.5) ? "x" : "X", CultureInfo.InvariantCulture),
        1 => "0" + Convert.ToString(n, 8),
        _ => n.ToString(CultureInfo.InvariantCulture),
    };

    private byte[] LongRun()
    {
        var length = Pick<int>([4095, 4096, 4097, 4098, 8191, 8192, 8193, 9000, 20000, 70000]) + (Chance(0.3) ? _rng.Next(-3, 4) : 0);
        var unit = Pick<string>(["+1,", ",", "\n", "0", "f", "+0x1", "-255,", "+00000000", "+18446744073709551616,"]);
        var b = new StringBuilder(length + unit.Length);
        if (unit is "0" or "f")
        {
            b.Append("0x");
        }
        else if (unit is "," or "\n")
        {
            b.Append("+1");
        }
        while (b.Length < length)
        {
            b.Append(unit);
        }
        b.Length = length;
        return Encoding.UTF8.GetBytes(b.ToString());
    }

    private byte[] MutateBytes(byte[] input)
    {
        var list = new List<byte>(input);
        var at = list.Count == 0 ? 0 : _rng.Next(list.Count + 1);
        switch (_rng.Next(9))
        {
            case 0 when list.Count > 0:
                var i = _rng.Next(list.Count);
                list[i] ^= (byte)(1 << _rng.Next(8));
                break;
            case 1:
                list.Insert(at, Pick<byte>([0, (byte)'\r', (byte)'\t', 0x7f, 0x1b, 0x01, (byte)'\n', (byte)' ', 0x0b, 0x0c]));
                break;
            case 2:
                list.InsertRange(at, Pick<byte[]>([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc3, 0xa9], [0xef, 0xbb, 0xbf]]));
                break;
            case 3 when list.Count > 0:
                list.RemoveAt(_rng.Next(list.Count));
                break;
            case 4:
                list.InsertRange(at, Encoding.ASCII.GetBytes(Pick<string>(
                    ["+18446744073709551616", "18446744073709551616", "0x" + new string('f', 70), "4294967296", "+0x100000000", "-99999999999999999999999"])));
                break;
            case 5 when list.Count > 0:
                list.RemoveRange(at == list.Count ? list.Count - 1 : at, 1);
                list.InsertRange(0, list.GetRange(0, Math.Min(list.Count, 8)));
                break;
            case 6 when list.Count > 1:
                var keep = _rng.Next(1, list.Count);
                list.RemoveRange(keep, list.Count - keep);
                break;
            case 7:
                list.InsertRange(at, Encoding.ASCII.GetBytes(Pick<string>(["+", "-", ",", "x", "0x", "-0-", "\0+5"])));
                break;
            default:
                list.Add((byte)_rng.Next(256));
                break;
        }
        return [.. list];
    }

    // ------------------------------------------------------------------ JSON

    private JsonNode? RandomValue(int depth)
    {
        var roll = _rng.Next(depth > 3 ? 7 : 9);
        return roll switch
        {
            0 => null,
            1 => JsonValue.Create(Chance(0.5)),
            2 => JsonValue.Create(_rng.Next(int.MinValue, int.MaxValue)),
            3 => JsonNode.Parse(Pick<string>(["1e400", "-0", "18446744073709551616", "1.5", "-9223372036854775809", "0.0000001", "1E+2"])),
            4 => JsonValue.Create(Pick<string>(["", "+5", "true", "0x5", "\u0000", "\ud83d\ude00", new string('s', 300)])),
            5 => JsonValue.Create(Encoding.UTF8.GetString(Mask())),
            6 => JsonValue.Create("x"),
            7 => new JsonArray(Enumerable.Range(0, _rng.Next(0, 4)).Select(_ => RandomValue(depth + 1)).ToArray()),
            _ => new JsonObject(Enumerable.Range(0, _rng.Next(0, 4)).Select(i => KeyValuePair.Create(
                Pick<string>(["mask", "apmask", "aqmask", "uuid", "name", "configured", "adapters", "domains", "controlDomains", "x", "", "MASK"]) + (i == 0 ? string.Empty : i.ToString(CultureInfo.InvariantCulture)),
                RandomValue(depth + 1)))),
        };
    }

    /// <summary>Replaces, removes or adds members and elements: wrong types, nulls, unknown members, nesting.</summary>
    private JsonNode? MutateStructure(JsonNode root)
    {
        var nodes = new List<JsonNode>();
        void Walk(JsonNode? n)
        {
            if (n is null)
            {
                return;
            }
            nodes.Add(n);
            if (n is JsonObject o)
            {
                foreach (var (_, v) in o)
                {
                    Walk(v);
                }
            }
            else if (n is JsonArray a)
            {
                foreach (var v in a)
                {
                    Walk(v);
                }
            }
        }
        Walk(root);
        var mutations = _rng.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            var target = Pick(nodes);
            switch (_rng.Next(6))
            {
                case 0 when target.Parent is JsonObject parent:
                    parent[target.GetPropertyName()] = RandomValue(1);
                    break;
                case 1 when target.Parent is JsonArray array:
                    array[target.GetElementIndex()] = Chance(0.5) ? null : RandomValue(1);
                    break;
                case 2 when target is JsonObject o:
                    o[Pick<string>(["unknown", "extra", "$type", "Mask", "__proto__"])] = RandomValue(1);
                    break;
                case 3 when target is JsonObject o && o.Count > 0:
                    o.Remove(o.ElementAt(_rng.Next(o.Count)).Key);
                    break;
                case 4 when target is JsonArray a:
                    a.Add(Chance(0.5) ? null : RandomValue(1));
                    break;
                case 5:
                    return Chance(0.5) ? new JsonArray(root.DeepClone()) : RandomValue(0);
            }
        }
        return root;
    }

    private byte[] MutateJsonBytes(byte[] json)
    {
        switch (_rng.Next(12))
        {
            case 0:
                return json[..(json.Length == 0 ? 0 : _rng.Next(json.Length))];
            case 1:
                return Deep(Chance(0.5) ? _rng.Next(60, 70) : _rng.Next(1000, 20000));
            case 2:
                // Valid JSON padded beyond 64 KiB (and occasionally beyond the 16 MiB import limit).
                var size = Chance(0.05) ? (16 * 1024 * 1024) + 10 : _rng.Next(64 * 1024, 80 * 1024);
                var padded = new byte[json.Length + size];
                Array.Fill(padded, (byte)' ');
                json.CopyTo(padded, 0);
                return padded;
            case 3:
                return [0xef, 0xbb, 0xbf, .. json];
            case 4:
                return [.. json, .. Encoding.ASCII.GetBytes(Pick<string>(["x", "}", ",", "{}", " // c", "\0"]))];
            case 5:
                return Splice(json, Pick<byte[]>([[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0x80]]));
            case 6:
                return Splice(json, Encoding.ASCII.GetBytes(Pick<string>(["\\ud800", "\\u0000", "\\uZZZZ", "\\", "\\x41", "\"", "/* c */", ",", ",]", "NaN", "Infinity"])));
            case 7:
                return [.. Encoding.ASCII.GetBytes(Pick<string>(["{\"mask\":\"+1\",\"mask\":\"-1\"}", "{\"mask\":\"+1\",}", "{'mask':'+1'}", "{mask:\"+1\"}", "[]", "\"+1\"", "{}", "  ", "{\"mask\":[\"+1\"]}", "{\"mask\":{\"$ref\":\"x\"}}"]))];
            case 8:
                var flipped = (byte[])json.Clone();
                if (flipped.Length > 0)
                {
                    flipped[_rng.Next(flipped.Length)] ^= (byte)(1 << _rng.Next(8));
                }
                return flipped;
            case 9:
                return Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(json));
            case 10:
                return [.. json, .. json];
            default:
                return Splice(json, [(byte)_rng.Next(256)]);
        }
    }

    private byte[] Splice(byte[] json, byte[] insert)
    {
        var at = json.Length == 0 ? 0 : _rng.Next(json.Length);
        return [.. json[..at], .. insert, .. json[at..]];
    }

    private byte[] Deep(int depth)
    {
        var open = Chance(0.5) ? "[" : "{\"mask\":";
        var close = open == "[" ? "]" : "}";
        var b = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            b.Append(open);
        }
        b.Append("1");
        for (var i = 0; i < depth; i++)
        {
            b.Append(close);
        }
        return Encoding.ASCII.GetBytes(b.ToString());
    }
}
