using System.Globalization;
using ApManager.Api.Tests.Stress;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>
/// Generates hostile requests from a seeded <see cref="Random"/>: a target from
/// <see cref="HostilePaths"/>, a body from <see cref="HostileBodies"/>, wrong methods, and bad
/// If-Match and Authorization headers. One random source feeds every part, so a seed replays a run.
/// </summary>
public sealed class HostileRequests
{
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO"];

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

    private readonly Random _rng;
    private readonly IReadOnlyList<FuzzRoute> _routes;
    private readonly List<FuzzRoute> _maskRoutes;
    private readonly HostilePaths _paths;
    private readonly HostileBodies _bodies;

    public HostileRequests(Random rng, IReadOnlyList<FuzzRoute> routes)
    {
        _rng = rng;
        _routes = routes;
        _maskRoutes = [.. routes.Where(r => r.Pattern.StartsWith("/api/bus/", StringComparison.Ordinal) && r.Method != "GET")];
        _paths = new HostilePaths(rng);
        _bodies = new HostileBodies(rng, new HostileMasks(rng));
    }

    /// <summary>One request against <paramref name="s"/> (the state decides which ids exist).</summary>
    public FuzzRequest Next(ApSnapshot s, FuzzRoute? forced = null)
    {
        var (target, route, path, method) = Target(s, forced);
        var query = _paths.Query(route);
        var body = _bodies.For(target, method, s);
        var request = new FuzzRequest
        {
            Method = method,
            Target = path + query,
            Route = route,
            Authorization = Authorization(),
            Body = body.Bytes,
            ContentType = body.ContentType,
            Streams = path.StartsWith("/api/events", StringComparison.OrdinalIgnoreCase),
        };
        foreach (var write in body.Masks)
        {
            request.MaskBytes[write.Attribute] = write.Bytes;
            if (write.Model is not null)
            {
                request.MaskModels[write.Attribute] = write.Model;
            }
        }
        AddHeaders(request, target, s);
        return request;
    }

    /// <summary>A mapped route (the forced one, a mask write with extra weight, or any), an unmapped path or a junk one.</summary>
    private (FuzzRoute? Target, string Route, string Path, string Method) Target(ApSnapshot s, FuzzRoute? forced)
    {
        var roll = _rng.NextDouble();
        if (forced is null && roll < 0.06)
        {
            var extra = _paths.ExtraPath();
            return (null, "(extra)", extra, _rng.Chance(0.7) ? "GET" : _rng.Pick(Methods));
        }
        if (forced is null && roll < 0.09)
        {
            var unknown = _paths.UnknownPath();
            return (null, "(unknown)", unknown, _rng.Pick(Methods));
        }
        // The mask writes are the heart of the product: they get extra weight.
        var target = forced ?? (_rng.Chance(0.15) && _maskRoutes.Count > 0 ? _rng.Pick(_maskRoutes) : _rng.Pick(_routes));
        var path = _paths.FillPattern(target.Pattern, s);
        var method = forced is not null || _rng.Chance(0.85) ? target.Method : _rng.Pick(Methods);
        return (target, target.Key, path, method);
    }

    private void AddHeaders(FuzzRequest request, FuzzRoute? target, ApSnapshot s)
    {
        if (_rng.Chance(0.25))
        {
            request.Headers.Add(new("If-Match", IfMatch(target, s)));
        }
        if (_rng.Chance(0.05))
        {
            request.Headers.Add(new("Last-Event-ID", _rng.Pick<string>(["0", "-1", "abc", "99999999999999999999", "1", " 2"])));
        }
        if (_rng.Chance(0.05))
        {
            request.Headers.Add(new("Accept", _rng.Pick<string>(["text/plain", "application/xml", "*/*", "text/plain, application/json", "\u00e9"])));
        }
        if (_rng.Chance(0.02))
        {
            request.Headers.Add(new("Origin", _rng.Pick<string>(["https://evil.example", "null", "http://localhost"])));
        }
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
            _ => _rng.Pick(JunkAuth),
        };
    }

    private string IfMatch(FuzzRoute? route, ApSnapshot s)
    {
        if (_rng.Chance(0.5))
        {
            var version = route?.Pattern switch
            {
                { } p when p.StartsWith("/api/bus", StringComparison.Ordinal) => s.Bus.Version,
                { } p when p.Contains("{uuid}", StringComparison.Ordinal) && s.Mdevs.Count > 0 => _rng.Pick(s.Mdevs).Version,
                { } p when p.Contains("/adapters/", StringComparison.Ordinal) => s.Adapters.First().Version,
                _ => s.Version,
            };
            version += _rng.Chance(0.7) ? 0 : _rng.Next(-2, 3);
            return "\"" + version.ToString(CultureInfo.InvariantCulture) + "\"";
        }
        return _rng.Pick(JunkIfMatch);
    }
}
