using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace ApManager.Api.Http;

/// <summary>
/// Says why a body does not fit a call without System.Text.Json's wording, which names .NET types
/// (<c>System.String</c>, <c>TransferEndpoints+MdevctlConfig</c>): the JSON path, what is wrong and
/// the shape expected there, worked out from the request type by walking the path.
/// </summary>
public static partial class JsonBodyErrors
{
    public static string Describe(JsonException ex, Type root)
    {
        ArgumentNullException.ThrowIfNull(ex);
        ArgumentNullException.ThrowIfNull(root);
        var path = ex.Path is { Length: > 0 } p ? p : "$";
        var at = $"The request body is not valid JSON for this call at {path}";
        // The reader's own errors (bad syntax) name characters and positions, never types.
        if (ex.InnerException?.GetType().Name == "JsonReaderException" || ex.Message.Contains("is an invalid", StringComparison.Ordinal)
            || ex.Message.Contains("Expected", StringComparison.Ordinal) && !ex.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            var line = ex.LineNumber is { } l ? $" (line {l + 1}, byte {ex.BytePositionInLine + 1})" : string.Empty;
            return $"The request body is not valid JSON at {path}{line}: {FirstSentence(ex.Message)}";
        }
        var type = TypeAt(root, path);
        var expected = type is null ? string.Empty : $"; expected {Shape(type)}";
        if (UnmappedMember().Match(ex.Message) is { Success: true } unmapped)
        {
            // The path may end at the unknown member itself: its parent says what is expected.
            var parent = TypeAt(root, path.EndsWith($".{unmapped.Groups[1].Value}", StringComparison.Ordinal) ? path[..^(unmapped.Groups[1].Value.Length + 1)] : path);
            return $"{at}: unknown member '{unmapped.Groups[1].Value}'{(parent is null ? "." : $"; expected {Shape(parent)}.")}";
        }
        if (MissingMembers().Match(ex.Message) is { Success: true } missing)
        {
            return $"{at}: required member(s) {missing.Groups[1].Value.TrimEnd('.')} missing{expected}.";
        }
        if (ex.Message.Contains("null", StringComparison.OrdinalIgnoreCase))
        {
            return $"{at}: null is not allowed here{expected}.";
        }
        return $"{at}: the value does not have the expected shape{expected}.";
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    /// <summary>The type a JSON path leads to in <paramref name="root"/>; null when the path leaves the known shape.</summary>
    private static Type? TypeAt(Type root, string path)
    {
        Type? type = root;
        foreach (Match segment in Segment().Matches(path))
        {
            type = Unwrap(type!);
            type = segment.Groups["index"].Success ? ElementType(type) : MemberType(type, segment.Groups["name"].Value);
            if (type is null)
            {
                return null;
            }
        }
        return Unwrap(type!);
    }

    private static Type Unwrap(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    private static Type? ElementType(Type type) =>
        type.IsArray ? type.GetElementType()
        : type.IsGenericType && type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } e ? e.GetGenericArguments()[0]
        : null;

    private static Type? MemberType(Type type, string name)
    {
        if (Dictionary(type) is { } value)
        {
            return value;
        }
        return Members(type).FirstOrDefault(m => string.Equals(m.Json, name, StringComparison.OrdinalIgnoreCase)).Type;
    }

    private static Type? Dictionary(Type type) =>
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)) is { } d ? d.GetGenericArguments()[1] : null;

    private static IEnumerable<(string Json, Type Type)> Members(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is not { Condition: JsonIgnoreCondition.Always } && p.GetIndexParameters().Length == 0)
            .OrderBy(p => p.GetCustomAttribute<JsonPropertyOrderAttribute>()?.Order ?? 0)
            .Select(p => (p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name), p.PropertyType));

    /// <summary>The JSON shape of a type in words, for a client that has never seen the C#.</summary>
    private static string Shape(Type type)
    {
        type = Unwrap(type);
        return type switch
        {
            _ when type == typeof(string) => "a string",
            _ when type == typeof(bool) => "true or false",
            _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte) || type == typeof(uint) || type == typeof(ulong) => "an integer",
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => "a number",
            _ when type.IsEnum => "a string",
            _ when type == typeof(JsonElement) || type == typeof(JsonNode) || type == typeof(object) => "a JSON value",
            _ when Dictionary(type) is { } value => $"an object whose values are {Shape(value)}",
            _ when type != typeof(string) && typeof(IEnumerable).IsAssignableFrom(type) && ElementType(type) is { } element => $"an array of {Shape(element)}",
            _ => $"an object with members {string.Join(", ", Members(type).Select(m => m.Json))}",
        };
    }

    /// <summary>
    /// A framework binding failure in words without the parameter's .NET type
    /// (<c>Failed to bind parameter "Int32 id" from "x".</c>).
    /// </summary>
    public static string Framework(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (BindFailure().Match(message) is { Success: true } bind)
        {
            return $"Value '{bind.Groups[2].Value}' is not valid for '{bind.Groups[1].Value}'.";
        }
        return message.Contains("parameter", StringComparison.OrdinalIgnoreCase) ? "The request could not be read for this call." : message;
    }

    [GeneratedRegex(@"Failed to bind parameter ""(?:[^""]* )?(\w+)"" from ""(.*)""")]
    private static partial Regex BindFailure();

    [GeneratedRegex(@"\.(?<name>[^.\[\]]+)|\[(?<index>\d+)\]|\['(?<name>[^']*)'\]")]
    private static partial Regex Segment();

    [GeneratedRegex(@"The JSON property '([^']*)' could not be mapped")]
    private static partial Regex UnmappedMember();

    [GeneratedRegex(@"missing required properties including: (.*)$")]
    private static partial Regex MissingMembers();
}
