using System.Text.Json;
using ApManager.Core.Matrix;
using ApManager.Core.Persistence;

namespace ApManager.Core.Transfer;

/// <summary>One device of an import's <c>mdevs</c> or <c>definitions</c>: its UUID, its name (devices only) and its mdevctl form, verbatim.</summary>
public sealed record ImportedMdevctl(MdevId Id, string? Name, MdevctlDefinition Definition, MdevctlMatrix Matrix);

/// <summary>
/// Reads the <c>mdevs</c> or <c>definitions</c> member of an import. Each element is either ApManager's
/// <c>{"uuid", "mdevctl", "name"?}</c> or an element of mdevctl's <c>list --dumpjson</c> output
/// (<c>{"matrix": [{"&lt;uuid&gt;": {config}}, …]}</c>), so that output can be pasted whole. A config is
/// read as mdevctl reads it (<see cref="MdevctlJson"/>: extra members such as <c>parent</c> ignored)
/// and must then start cleanly (<see cref="MdevctlMatrix"/>). Every offender is collected, keyed by JSON path.
/// </summary>
public static class MdevctlImportReader
{
    public static IReadOnlyList<ImportedMdevctl> Read(JsonElement list, string member, bool named, IDictionary<string, string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var path = $"$.{member}";
        if (list.ValueKind != JsonValueKind.Array)
        {
            errors[path] = $"{member} is an array of {Shape(named)} or the output of mdevctl list --dumpjson, not {MdevctlJson.Describe(list.ValueKind)}.";
            return [];
        }
        var found = new List<ImportedMdevctl>();
        var i = 0;
        foreach (var element in list.EnumerateArray())
        {
            var at = $"{path}[{i++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                errors[at] = $"Each element is {Shape(named)} or a list --dumpjson parent object, not {MdevctlJson.Describe(element.ValueKind)}.";
                continue;
            }
            try
            {
                if (element.TryGetProperty("uuid", out _) || element.TryGetProperty("mdevctl", out _))
                {
                    ReadDevice(element, at, named, errors, found);
                }
                else
                {
                    ReadListing(element, at, errors, found);
                }
            }
            catch (InvalidOperationException)
            {
                // JsonElement.GetString throws for a valid JSON escape of a lone surrogate (\ud800):
                // no string can hold it, so the element is refused (found by the hostile-input fuzz test).
                errors[at] = "A member name or string is not valid Unicode (an unpaired surrogate escape such as \\ud800).";
            }
        }
        foreach (var twice in found.GroupBy(d => d.Id).Where(g => g.Count() > 1))
        {
            errors[$"{path}"] = $"Device {twice.Key} is listed more than once.";
        }
        return found;
    }

    private static void ReadDevice(JsonElement element, string at, bool named, IDictionary<string, string> errors, List<ImportedMdevctl> into)
    {
        string? name = null;
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name is "uuid" or "mdevctl" || (named && property.Name == "name"))
            {
                continue;
            }
            errors[$"{at}.{property.Name}"] = $"Unknown member '{property.Name}'; an element has {Shape(named)}.";
            return;
        }
        if (!element.TryGetProperty("uuid", out var uuid) || uuid.ValueKind != JsonValueKind.String || !MdevId.TryParse(uuid.GetString(), out var id))
        {
            errors[$"{at}.uuid"] = "uuid is required: a UUID string such as 8f3a0c4e-1b2d-4e5f-9a6b-7c8d9e0f1a2b.";
            return;
        }
        if (named && element.TryGetProperty("name", out var n))
        {
            if (n.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
            {
                errors[$"{at}.name"] = $"name is a string or null, not {MdevctlJson.Describe(n.ValueKind)}.";
                return;
            }
            name = n.GetString();
        }
        if (!element.TryGetProperty("mdevctl", out var config))
        {
            errors[$"{at}.mdevctl"] = "mdevctl is required: the device's config as mdevctl stores it ({\"mdev_type\", \"start\", \"attrs\"}).";
            return;
        }
        ReadConfig(config, id, name, $"{at}.mdevctl", errors, into);
    }

    private static void ReadListing(JsonElement element, string at, IDictionary<string, string> errors, List<ImportedMdevctl> into)
    {
        foreach (var parent in element.EnumerateObject())
        {
            var here = $"{at}.{parent.Name}";
            if (parent.Name != MdevctlDefinition.Parent)
            {
                errors[here] = $"Parent '{parent.Name}': ApManager holds only vfio_ap devices of parent '{MdevctlDefinition.Parent}' (or the element lacks uuid and mdevctl).";
                continue;
            }
            if (parent.Value.ValueKind != JsonValueKind.Array)
            {
                errors[here] = $"A parent's devices are an array of {{\"<uuid>\": {{config}}}}, not {MdevctlJson.Describe(parent.Value.ValueKind)}.";
                continue;
            }
            var j = 0;
            foreach (var entry in parent.Value.EnumerateArray())
            {
                var device = $"{here}[{j++}]";
                if (!MdevctlListing.TryDevice(entry, out var id, out var config))
                {
                    errors[device] = MdevctlListing.DeviceShape;
                    continue;
                }
                ReadConfig(config.Value, id, null, $"{device}.{config.Name}", errors, into);
            }
        }
    }

    private static void ReadConfig(JsonElement config, MdevId id, string? name, string at, IDictionary<string, string> errors, List<ImportedMdevctl> into)
    {
        var parsed = MdevctlJson.Read(config);
        if (!parsed.Success)
        {
            errors[Join(at, parsed.Problem.Member)] = parsed.Problem.Detail;
            return;
        }
        var matrix = MdevctlMatrix.Of(parsed.Definition);
        foreach (var problem in matrix.Problems)
        {
            errors[Join(at, problem.Member)] = problem.Detail;
        }
        if (matrix.Success)
        {
            into.Add(new ImportedMdevctl(id, name, parsed.Definition, matrix));
        }
    }

    private static string Join(string at, string member) => member == "$" ? at : $"{at}.{member}";

    private static string Shape(bool named) => named ? "{\"uuid\", \"mdevctl\", \"name\"?}" : "{\"uuid\", \"mdevctl\"}";
}
