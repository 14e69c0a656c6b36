using System.Globalization;
using System.Text;
using ApManager.Api.Tests.Stress;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// Request targets: a route pattern filled with existing or junk ids, paths the application does
/// not map, and query strings with odd dryRun spellings and junk parameters.
/// </summary>
public sealed class HostilePaths(Random rng)
{
    private readonly Random _rng = rng;

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

    /// <summary>A path outside the mapped routes that a scanner would try.</summary>
    public string ExtraPath() => _rng.Pick(ExtraPaths);

    /// <summary>One to four junk segments.</summary>
    public string UnknownPath() => "/" + string.Join("/", Enumerable.Range(0, _rng.Next(1, 5)).Select(_ => Segment()));

    /// <summary>The pattern with every parameter filled: mostly ids that exist in <paramref name="s"/>, else junk.</summary>
    public string FillPattern(string pattern, ApSnapshot s)
    {
        var parts = pattern.Split('/');
        for (var i = 0; i < parts.Length; i++)
        {
            parts[i] = parts[i] switch
            {
                "{uuid}" => Uuid(s),
                "{id}" => Id(),
                "{apqn}" => ApqnText(s),
                "{name}" => _rng.Chance(0.6) ? _rng.Pick(ProblemNames) : Segment(),
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
                _ => _rng.Pick(s.Mdevs).Id.ToString(),
            });
            return _rng.Chance(0.1) ? id.ToUpperInvariant() : id;
        }
        if (roll < 0.7)
        {
            return _rng.NewUuid().ToString("D");
        }
        return _rng.Next(8) switch
        {
            0 => _rng.NewUuid().ToString("N"),
            1 => _rng.NewUuid().ToString("B"),
            2 => _rng.NewUuid().ToString("D")[..35],
            3 => _rng.NewUuid().ToString("D") + "0",
            4 => _rng.NewUuid().ToString("D").Replace('a', 'g').Replace('1', 'z'),
            5 => new string('a', _rng.Next(100, 9000)),
            6 => _rng.NewUuid().ToString("D").Insert(_rng.Next(36), _rng.Pick(JunkSegments)),
            _ => Segment(),
        };
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
                _ => _rng.Pick<int>([0, 63, 64, 84, 85, 255, 256, 257]),
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
        if (_rng.Chance(0.5))
        {
            var queues = s.Queues.ToList();
            if (queues.Count > 0)
            {
                var text = _rng.Pick(queues).Apqn.ToString();
                return _rng.Chance(0.1) ? text.ToUpperInvariant() : text;
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
        if (_rng.Chance(0.6))
        {
            return _rng.Pick(JunkSegments);
        }
        var length = _rng.Chance(0.1) ? _rng.Next(1000, 12000) : _rng.Next(1, 40);
        var b = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            var c = (char)_rng.Next(0x21, 0x7f);
            b.Append(c is '/' or '?' or '#' or '%' ? "%" + ((int)c).ToString("X2", CultureInfo.InvariantCulture) : c.ToString());
        }
        return b.ToString();
    }

    /// <summary>Nothing, or a few parameters: dryRun spellings, the route's own filters, junk names and values.</summary>
    public string Query(string route)
    {
        if (_rng.Chance(0.45))
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
                pairs.Add("dryRun=" + _rng.Pick<string>(["true", "true", "false", "TRUE", "True", "1", "yes", "", "%20true%20", "tru", "null", "true,true"]));
            }
            else if (roll < 0.55 && route.Contains("/api/queues", StringComparison.Ordinal))
            {
                pairs.Add(_rng.Pick<string>(["adapter", "domain", "driver", "mdev"]) + "=" + _rng.Pick<string>(
                    ["5", "05", "256", "-1", "none", "vfio_ap", "cex4queue", "nope", "", ApManagerApplication.DeviceA, "0x5", "%00", "9999999999"]));
            }
            else if (roll < 0.65 && (route.Contains("/api/audit", StringComparison.Ordinal) || route.Contains("/api/events", StringComparison.Ordinal)))
            {
                pairs.Add(_rng.Pick<string>(["after", "limit", "access_token"]) + "=" + _rng.Pick<string>(
                    ["0", "1", "5", "-1", "0x10", "99999999999999999999", "1001", "1000", "abc", "", "1.5", "2147483648", ApManagerApplication.ViewerKey]));
            }
            else if (roll < 0.8)
            {
                pairs.Add(_rng.Pick<string>(["x", "dryrun", "DRYRUN", "dry_run", "%00", "", "a[b]", "limit", "after", "adapter", "uuid"]) + "=" + Segment());
            }
            else
            {
                pairs.Add(_rng.Pick<string>(["", "&", "=", "==", "dryRun", "dryRun=", "=true", "%ZZ", "%", "a=%zz"]));
            }
        }
        return "?" + string.Join("&", pairs);
    }
}
