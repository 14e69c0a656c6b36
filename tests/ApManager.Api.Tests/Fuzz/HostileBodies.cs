using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ApManager.Api.Tests.Stress;
using ApManager.Core.Masks;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>The bytes a mask parser will see for one attribute, and what they do where the generator knows it.</summary>
public sealed record MaskWrite(string Attribute, byte[] Bytes, Func<ApMask, ApMask>? Model);

/// <summary>A generated body with its Content-Type and the mask writes it carries intact.</summary>
public sealed record HostileBody(byte[]? Bytes, string? ContentType, List<MaskWrite> Masks);

/// <summary>
/// Request bodies: the route's own body (raw text/plain or JSON for the mask routes, the device,
/// adapter and import bodies), possibly damaged in structure or bytes, under a right or junk media type.
/// </summary>
public sealed class HostileBodies
{
    public const string TextPlain = "text/plain";
    public const string Json = "application/json";

    private static readonly string[] JunkContentTypes =
    [
        "application/xml", "text/html", "application/json; charset=utf-16", "application/json;;", "application/",
        "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "APPLICATION/JSON", "application/merge-patch+json",
        "*/*", "text/plain; charset=iso-8859-1", "application/problem+json", "json", "text/plain; charset=utf-8", ";",
        "application/json; charset=\"", "application/octet-stream", "text/PLAIN", "application/json, text/plain",
    ];

    private readonly Random _rng;
    private readonly HostileMasks _masks;
    private readonly HostileJson _json;
    private readonly HostileDeviceBodies _devices;
    private readonly HostileImports _imports;

    public HostileBodies(Random rng, HostileMasks masks)
    {
        _rng = rng;
        _masks = masks;
        _json = new HostileJson(rng, masks);
        _devices = new HostileDeviceBodies(rng);
        _imports = new HostileImports(rng, masks, _devices);
    }

    public HostileBody For(FuzzRoute? route, string method, ApSnapshot s)
    {
        var writes = new List<MaskWrite>();
        var pattern = route?.Pattern ?? string.Empty;
        var isMask = route is not null && route.Method == method && pattern is "/api/bus/apmask" or "/api/bus/aqmask";
        if (method is "GET" or "HEAD" or "OPTIONS" or "TRACE" && _rng.Chance(0.9))
        {
            return new(null, null, writes);
        }
        if (isMask && _rng.Chance(0.35))
        {
            // Raw text/plain, exactly the bytes echo would write (possibly invalid UTF-8).
            var mask = _masks.Next();
            writes.Add(new(MaskAttribute(pattern), mask.Bytes, mask.Model));
            var contentType = _rng.Chance(0.85) ? _rng.Pick<string>([TextPlain, "text/plain; charset=utf-8", "TEXT/PLAIN"]) : _rng.Pick(JunkContentTypes);
            return new(mask.Bytes, contentType, writes);
        }

        var node = RouteBody(pattern, s, writes);
        if (node is null && _rng.Chance(0.6))
        {
            return new(null, _rng.Chance(0.5) ? null : Json, writes);
        }
        var body = Damaged(node, writes);
        var type = JsonContentType();
        if (pattern is "/api/bus/apmask" or "/api/bus/aqmask" &&
            MediaTypeHeaderValue.TryParse(type, out var media) && string.Equals(media.MediaType, TextPlain, StringComparison.OrdinalIgnoreCase))
        {
            // A JSON body sent as text/plain: the whole body is the mask.
            writes.Clear();
            writes.Add(new(MaskAttribute(pattern), body, null));
        }
        return new(body, type, writes);
    }

    private static string MaskAttribute(string pattern) => pattern.EndsWith("apmask", StringComparison.Ordinal) ? "apmask" : "aqmask";

    /// <summary>The body the route expects (a random value for routes without one), still intact.</summary>
    private JsonNode? RouteBody(string pattern, ApSnapshot s, List<MaskWrite> writes) => pattern switch
    {
        "/api/bus/apmask" or "/api/bus/aqmask" => MaskObject("mask", MaskAttribute(pattern), writes),
        "/api/bus/masks" => PatchObject(writes),
        "/api/mdevs" => _devices.Create(),
        "/api/mdevs/{uuid}/config" => _devices.Config(),
        "/api/mdevs/{uuid}/guest" => new JsonObject { ["name"] = _devices.GuestName(s) },
        "/api/adapters/{id}/configured" => new JsonObject { ["configured"] = _rng.Chance(0.5) },
        "/api/import" => _imports.Import(s),
        _ => _rng.Chance(0.5) ? null : _json.RandomValue(0),
    };

    /// <summary>The serialized body, possibly mutated; a mutation forgets the masks, whose bytes are no longer known.</summary>
    private byte[] Damaged(JsonNode? node, List<MaskWrite> writes)
    {
        var structurallyMutated = false;
        if (node is not null && _rng.Chance(0.3))
        {
            node = _json.MutateStructure(node);
            structurallyMutated = true;
        }
        var text = node?.ToJsonString() ?? "null";
        var body = Encoding.UTF8.GetBytes(text);
        if (_rng.Chance(0.25))
        {
            body = _json.MutateBytes(body);
            structurallyMutated = true;
        }
        if (structurallyMutated)
        {
            // The mask the parser would see is no longer known.
            writes.Clear();
        }
        return body;
    }

    private string? JsonContentType()
    {
        string? type = _rng.Chance(0.85) ? _rng.Pick<string>([Json, Json, "application/json; charset=utf-8", "application/merge-patch+json"]) : _rng.Pick(JunkContentTypes);
        if (_rng.Chance(0.04))
        {
            type = null;
        }
        return type;
    }

    private JsonObject MaskObject(string member, string attribute, List<MaskWrite> writes)
    {
        var mask = _masks.Next();
        var text = Encoding.UTF8.GetString(mask.Bytes);
        writes.Add(new(attribute, Encoding.UTF8.GetBytes(text), mask.Model));
        return new JsonObject { [member] = text };
    }

    private JsonObject PatchObject(List<MaskWrite> writes)
    {
        var o = new JsonObject();
        if (_rng.Chance(0.7))
        {
            o["apmask"] = MaskObject("x", "apmask", writes)["x"]!.DeepClone();
        }
        if (_rng.Chance(0.7))
        {
            o["aqmask"] = MaskObject("x", "aqmask", writes)["x"]!.DeepClone();
        }
        return o;
    }
}
