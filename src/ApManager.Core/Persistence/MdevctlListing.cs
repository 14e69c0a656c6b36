using System.Text;
using System.Text.Json;
using ApManager.Core.Matrix;

namespace ApManager.Core.Persistence;

/// <summary>The outcome of reading a listing: the <c>matrix</c> definitions, or the problem (its member a path into the listing).</summary>
public readonly record struct ListingParseResult(IReadOnlyList<DefinedDevice>? Definitions, DefinitionProblem? Problem)
{
    public bool Success => Problem is null;
}

/// <summary>
/// <c>mdevctl list --defined --dumpjson</c> (fact sheet §1.4): <c>[ { "&lt;parent&gt;": [ { "&lt;uuid&gt;": {config} }, … ] } ]</c>,
/// devices sorted by UUID, serde_json pretty, no final newline; <c>[]</c> when empty.
/// </summary>
public static class MdevctlListing
{
    /// <summary>What mdevctl prints for these <c>matrix</c> definitions, byte for byte.</summary>
    public static byte[] Write(IEnumerable<DefinedDevice> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var sorted = definitions.OrderBy(d => d.Id).ToList();
        if (sorted.Count == 0)
        {
            return "[]"u8.ToArray();
        }
        var text = new StringBuilder("[\n  {\n    \"").Append(MdevctlDefinition.Parent).Append("\": [\n");
        for (var i = 0; i < sorted.Count; i++)
        {
            text.Append("      {\n        \"").Append(sorted[i].Id).Append("\": ");
            MdevctlJson.WriteObject(text, sorted[i].Definition, 4);
            text.Append("\n      }").Append(i + 1 < sorted.Count ? ",\n" : "\n");
        }
        text.Append("    ]\n  }\n]");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>Reads a listing; definitions of other parents are skipped.</summary>
    public static ListingParseResult Parse(ReadOnlyMemory<byte> utf8)
    {
        try
        {
            using var document = JsonDocument.Parse(utf8);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Fail("$", "A listing is a JSON array.");
            }
            var found = new List<DefinedDevice>();
            var i = 0;
            foreach (var parents in document.RootElement.EnumerateArray())
            {
                if (parents.ValueKind != JsonValueKind.Object)
                {
                    return Fail($"[{i}]", "Each listing element is an object keyed by parent.");
                }
                if (parents.TryGetProperty(MdevctlDefinition.Parent, out var devices) && ReadDevices(devices, $"[{i}].matrix", found) is { } problem)
                {
                    return problem;
                }
                i++;
            }
            return new ListingParseResult(found, null);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return Fail("$", $"Not JSON: {e.Message}");
        }
    }

    private static ListingParseResult? ReadDevices(JsonElement devices, string at, List<DefinedDevice> into)
    {
        if (devices.ValueKind != JsonValueKind.Array)
        {
            return Fail(at, "A parent's devices are an array.");
        }
        var j = 0;
        foreach (var entry in devices.EnumerateArray())
        {
            var here = $"{at}[{j++}]";
            if (!TryDevice(entry, out var id, out var config))
            {
                return Fail(here, DeviceShape);
            }
            var parsed = MdevctlJson.Read(config.Value);
            if (!parsed.Success)
            {
                return Fail($"{here}.{config.Name}.{parsed.Problem.Member}".Replace(".$", "", StringComparison.Ordinal), parsed.Problem.Detail);
            }
            into.Add(new DefinedDevice(id, parsed.Definition));
        }
        return null;
    }

    /// <summary>What each device of a parent's array is.</summary>
    internal const string DeviceShape = "Each device of a listing is an object with one member named by its UUID.";

    /// <summary>One device of a parent's array: <c>{ "&lt;uuid&gt;": {config} }</c>.</summary>
    internal static bool TryDevice(JsonElement entry, out MdevId id, out JsonProperty config)
    {
        id = default;
        config = default;
        var members = entry.ValueKind == JsonValueKind.Object ? entry.EnumerateObject().ToList() : [];
        if (members.Count != 1 || !MdevId.TryParse(members[0].Name, out id))
        {
            return false;
        }
        config = members[0];
        return true;
    }

    private static ListingParseResult Fail(string member, string detail) => new(null, new DefinitionProblem(member, detail));
}
