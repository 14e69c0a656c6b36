using System.Text.Json;
using ApManager.Api.Problems;

namespace ApManager.Api.Tests.Fuzz;

/// <summary>Every 4xx is a complete problem+json: a catalogued type, a title, a detail and the same status.</summary>
public sealed class ProblemOracle(FuzzFailures failures)
{
    /// <summary>How often each "status type" pair came back.</summary>
    public SortedDictionary<string, int> Types { get; } = new(StringComparer.Ordinal);

    public int Checks { get; private set; }

    /// <summary>Checks a 4xx answer; returns the problem body when it is JSON (never for HEAD).</summary>
    public JsonElement? Check(int index, FuzzRequest r, FuzzResponse response)
    {
        var (status, contentType, body) = (response.Status, response.ContentType, response.Body);
        Checks++;
        if (contentType != "application/problem+json")
        {
            failures.Fail($"problem-content-type {status} {r.Route}", $"#{index} answered {status} with Content-Type {contentType ?? "(none)"}: {FuzzFailures.Text(body)}", r);
            return null;
        }
        if (r.Method == "HEAD")
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(body ?? []);
            var root = document.RootElement.Clone();
            var type = Member(root, "type", JsonValueKind.String)?.GetString();
            var title = Member(root, "title", JsonValueKind.String)?.GetString();
            var detail = Member(root, "detail", JsonValueKind.String)?.GetString();
            var problemStatus = Member(root, "status", JsonValueKind.Number)?.GetInt32();
            var name = type is not null && type.StartsWith("/problems/", StringComparison.Ordinal) ? type["/problems/".Length..] : null;
            if (name is null || ProblemCatalog.Find(name) is null || string.IsNullOrEmpty(title) || string.IsNullOrEmpty(detail) || problemStatus != status)
            {
                failures.Fail($"problem-shape {status} {r.Route}", $"#{index} answered {status} with an incomplete problem: {FuzzFailures.Text(body)}", r);
            }
            Types[$"{status} {name}"] = Types.GetValueOrDefault($"{status} {name}") + 1;
            return root;
        }
        catch (JsonException ex)
        {
            failures.Fail($"problem-json {status} {r.Route}", $"#{index} answered {status} with a body that is not JSON ({ex.Message}): {FuzzFailures.Text(body)}", r);
            return null;
        }
    }

    /// <summary>The member <paramref name="name"/> of an object when it has the kind asked for; null otherwise.</summary>
    public static JsonElement? Member(JsonElement element, string name, JsonValueKind kind) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == kind ? value : null;

    /// <summary>The problem's type, or null.</summary>
    public static string? Type(JsonElement? problem) =>
        problem is { } p ? Member(p, "type", JsonValueKind.String)?.GetString() : null;
}
