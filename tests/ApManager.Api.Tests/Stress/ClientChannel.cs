using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.Stress;

/// <summary>An answer as a client sees it, with the store's version just before the request and just after the answer.</summary>
public sealed record Reply(int Status, JsonNode? Body, string? ETag, long VersionBefore, long VersionAfter)
{
    public string? ProblemType => Status >= 400 ? (string?)Body?["type"] : null;

    public string Text => Body?.ToJsonString() ?? "(no body)";

    /// <summary>The <c>version</c> member of the body (or of <paramref name="member"/> in it).</summary>
    public long? Version(string? member = null) => (long?)(member is null ? Body : Body?[member])?["version"];
}

/// <summary>
/// One client's line to the service: sends a request, counts it, and checks what every answer
/// must be (no 5xx, every 4xx a complete problem, a dry run says so); keeps the client's view of
/// what it committed, so each commit's version lies after the previous one.
/// </summary>
public sealed class ClientChannel(StressRun run, HttpClient http, int index)
{
    public int Index { get; } = index;

    public long Requests { get; private set; }

    /// <summary>The version of this client's last committing answer.</summary>
    public long LastCommitted { get; private set; }

    public StressRun Run => run;

    /// <summary>The raw client, for setup calls that are not part of the load.</summary>
    public HttpClient Http => http;

    public StressCounters Counters => run.Counters;

    public void Fail(string message) => run.Failures.Fail($"client {Index}: {message}");

    public async Task<Reply> SendAsync(string operation, HttpMethod method, string path, HttpContent? content = null, bool dryRun = false)
    {
        run.Counters.Count(dryRun ? operation + "(dry)" : operation);
        using var request = new HttpRequestMessage(method, dryRun ? path + "?dryRun=true" : path) { Content = content };
        var before = run.System.Current.Version;
        using var response = await http.SendAsync(request);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var after = run.System.Current.Version;
        Requests++;
        var status = (int)response.StatusCode;
        run.Counters.CountStatus(status);
        JsonNode? body = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (bytes.Length > 0 && mediaType is "application/json" or "application/problem+json")
        {
            body = JsonNode.Parse(bytes);
        }
        var reply = new Reply(status, body, response.Headers.ETag?.Tag, before, after);
        var saysDryRun = (body is JsonObject answer && (bool?)answer["dryRun"] == true) ||
            (status == 204 && response.Headers.TryGetValues("ApManager-Dry-Run", out var flag) && flag.SequenceEqual(["true"]));
        CheckEnvelope(method, path, dryRun, saysDryRun, mediaType, reply);
        return reply;
    }

    private void CheckEnvelope(HttpMethod method, string path, bool dryRun, bool saysDryRun, string? mediaType, Reply reply)
    {
        var (status, body) = (reply.Status, reply.Body);
        if (status >= 500)
        {
            Fail($"{method} {path} answered {status}: {reply.Text}");
        }
        else if (status >= 400 && (mediaType != "application/problem+json" || body?["type"] is null || body["title"] is null || body["detail"] is null || (int?)body["status"] != status))
        {
            Fail($"{method} {path} answered {status} without a complete problem: {mediaType} {reply.Text}");
        }
        // A dry run says so: "dryRun": true in the body, or for a 204 the ApManager-Dry-Run header.
        if (dryRun && status is >= 200 and < 300 && !saysDryRun)
        {
            Fail($"dry run {method} {path} answered {status} without dryRun: true or ApManager-Dry-Run: true: {reply.Text}");
        }
    }

    public void Unexpected(string what, Reply reply) =>
        Fail($"{what} answered {reply.Status} {reply.ProblemType}: {reply.Text}");

    /// <summary>A 2xx that changed state: its version lies inside the request's window and after everything this client saw committed.</summary>
    public void Committed(string what, Reply reply, long? version)
    {
        CheckCommitVersion(what, reply, version);
        Committed(what, version);
    }

    /// <summary>A 2xx that changed state: its version must lie after everything this client saw committed.</summary>
    public void Committed(string what, long? version)
    {
        Interlocked.Increment(ref run.Counters.CommitsByResponses);
        if (version is not { } v)
        {
            return;
        }
        Interlocked.Increment(ref run.Counters.VersionChecks);
        if (v <= LastCommitted)
        {
            Fail($"{what} committed version {v}, not after its previous commit {LastCommitted}");
        }
        LastCommitted = v;
    }

    private void CheckCommitVersion(string what, Reply reply, long? version)
    {
        if (version is { } v && (v <= reply.VersionBefore || v > reply.VersionAfter))
        {
            Fail($"{what} committed version {v} outside ({reply.VersionBefore}, {reply.VersionAfter}]");
        }
    }
}
