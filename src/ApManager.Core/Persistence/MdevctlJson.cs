using System.Collections.Immutable;
using System.Text;
using System.Text.Json;

namespace ApManager.Core.Persistence;

/// <summary>
/// Reads and writes mdevctl's definition files (mdevctl <c>MDev::load_from_json</c>, <c>write_config</c>).
/// Reading accepts what mdevctl accepts for parent <c>matrix</c>: the config object of 1.x (no final
/// newline), of bash 0.x (<c>jq</c>, final newline), of <c>list --dumpjson -u</c>, extra members ignored.
/// Writing gives the bytes mdevctl 1.x writes: serde_json pretty, members <c>mdev_type</c>, <c>start</c>,
/// <c>attrs</c>, no final newline.
/// </summary>
public static class MdevctlJson
{
    private static readonly JsonDocumentOptions Strict = new() { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow };

    public static DefinitionParseResult Parse(ReadOnlyMemory<byte> utf8)
    {
        // serde_json sees a byte order mark as a stray character; so does ApManager.
        if (utf8.Span.StartsWith("\uFEFF"u8))
        {
            return DefinitionParseResult.Fail("$", "The file starts with a byte order mark; mdevctl cannot read it.");
        }
        try
        {
            using var document = JsonDocument.Parse(utf8, Strict);
            return Read(document.RootElement);
        }
        catch (JsonException e)
        {
            return DefinitionParseResult.Fail("$", $"Not JSON: {e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // A string that is not valid Unicode (a lone surrogate escape).
            return DefinitionParseResult.Fail("$", $"Not JSON text mdevctl can read: {e.Message}");
        }
    }

    /// <summary>A definition as an element of a larger document (<c>list --dumpjson</c>).</summary>
    internal static DefinitionParseResult Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return DefinitionParseResult.Fail("$", $"A definition is a JSON object, not {Describe(root.ValueKind)}.");
        }
        // mdevctl reads by name; a repeated member counts with its last value (serde_json and JsonElement agree).
        if (!root.TryGetProperty("mdev_type", out var type) || type.ValueKind == JsonValueKind.Null)
        {
            return DefinitionParseResult.Fail("mdev_type", "mdev_type is required.");
        }
        if (type.ValueKind != JsonValueKind.String)
        {
            return DefinitionParseResult.Fail("mdev_type", $"mdev_type must be a string, not {Describe(type.ValueKind)}.");
        }
        if (type.GetString() != MdevctlDefinition.VfioApType)
        {
            return DefinitionParseResult.Fail("mdev_type", $"A device of parent matrix has type {MdevctlDefinition.VfioApType}, not '{type.GetString()}'.");
        }
        if (!root.TryGetProperty("start", out var start) || start.ValueKind == JsonValueKind.Null)
        {
            return DefinitionParseResult.Fail("start", "start is required (auto or manual).");
        }
        var attributes = new List<MdevctlAttribute>();
        if (root.TryGetProperty("attrs", out var attrs) && attrs.ValueKind != JsonValueKind.Null &&
            ReadAttributes(attrs, attributes) is { } problem)
        {
            return problem;
        }
        var auto = start.ValueKind == JsonValueKind.String && start.GetString() == "auto";
        var exact = start.ValueKind == JsonValueKind.String && start.GetString() is "auto" or "manual";
        var definition = new MdevctlDefinition(auto ? StartMode.Auto : StartMode.Manual, attributes)
        {
            StartAsWritten = exact ? null : start.GetRawText(),
        };
        var ignored = root.EnumerateObject().Select(p => p.Name).Where(n => n is not ("mdev_type" or "start" or "attrs")).Distinct().ToImmutableArray();
        return DefinitionParseResult.Ok(definition, ignored);
    }

    private static DefinitionParseResult? ReadAttributes(JsonElement attrs, List<MdevctlAttribute> into)
    {
        if (attrs.ValueKind != JsonValueKind.Array)
        {
            return DefinitionParseResult.Fail("attrs", $"attrs must be an array, not {Describe(attrs.ValueKind)}.");
        }
        var i = 0;
        foreach (var element in attrs.EnumerateArray())
        {
            var at = $"attrs[{i++}]";
            if (element.ValueKind != JsonValueKind.Object)
            {
                return DefinitionParseResult.Fail(at, $"An attribute is an object with one member, not {Describe(element.ValueKind)}.");
            }
            var names = element.EnumerateObject().Select(p => p.Name).Distinct().ToList();
            if (names.Count != 1)
            {
                return DefinitionParseResult.Fail(at, $"An attribute is an object with exactly one member, not {names.Count}.");
            }
            var value = element.GetProperty(names[0]);
            if (value.ValueKind != JsonValueKind.String)
            {
                return DefinitionParseResult.Fail($"{at}.{names[0]}", $"The value of attribute '{names[0]}' must be a string, not {Describe(value.ValueKind)}.");
            }
            into.Add(new MdevctlAttribute(names[0], value.GetString()!));
        }
        return null;
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>The file mdevctl 1.x writes for this definition, byte for byte.</summary>
    public static byte[] Write(MdevctlDefinition definition)
    {
        var text = new StringBuilder();
        WriteObject(text, definition, 0);
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    /// <summary>serde_json's PrettyFormatter for the object mdevctl's <c>to_json</c> builds, starting at <paramref name="depth"/>.</summary>
    internal static void WriteObject(StringBuilder text, MdevctlDefinition definition, int depth)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var pad = new string(' ', 2 * (depth + 1));
        text.Append("{\n");
        text.Append(pad).Append("\"mdev_type\": ").Append(Quote(MdevctlDefinition.VfioApType)).Append(",\n");
        text.Append(pad).Append("\"start\": ").Append(definition.Autostart ? "\"auto\"" : "\"manual\"").Append(",\n");
        text.Append(pad).Append("\"attrs\": ");
        if (definition.Attributes.IsEmpty)
        {
            text.Append("[]");
        }
        else
        {
            text.Append("[\n");
            for (var i = 0; i < definition.Attributes.Length; i++)
            {
                var (name, value) = definition.Attributes[i];
                text.Append(pad).Append("  {\n");
                text.Append(pad).Append("    ").Append(Quote(name)).Append(": ").Append(Quote(value)).Append('\n');
                text.Append(pad).Append("  }").Append(i + 1 < definition.Attributes.Length ? ",\n" : "\n");
            }
            text.Append(pad).Append(']');
        }
        text.Append('\n').Append(' ', 2 * depth).Append('}');
    }

    /// <summary>serde_json's string escaping: <c>"</c>, <c>\</c>, short escapes for \b \f \n \r \t, <c>\u00xx</c> for other controls; nothing else.</summary>
    internal static string Quote(string s)
    {
        var text = new StringBuilder(s.Length + 2).Append('"');
        foreach (var c in s)
        {
            _ = c switch
            {
                '"' => text.Append("\\\""),
                '\\' => text.Append("\\\\"),
                '\b' => text.Append("\\b"),
                '\f' => text.Append("\\f"),
                '\n' => text.Append("\\n"),
                '\r' => text.Append("\\r"),
                '\t' => text.Append("\\t"),
                < ' ' => text.Append("\\u00").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture)),
                _ => text.Append(c),
            };
        }
        return text.Append('"').ToString();
    }
}
