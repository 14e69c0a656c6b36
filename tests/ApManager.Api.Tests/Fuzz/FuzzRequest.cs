using System.Globalization;
using System.Text;
using ApManager.Core.Masks;

namespace ApManager.Api.Tests.Fuzz;

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
