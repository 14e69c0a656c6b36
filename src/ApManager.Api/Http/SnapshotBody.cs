using System.Text.Json;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace ApManager.Api.Http;

/// <summary>
/// The JSON of a read whose answer depends on nothing but the current snapshot, rendered once per
/// snapshot and then sent as bytes. Dashboards poll such reads; a CPU profile of
/// <c>GET /api/bus</c> under wrk put building and serialising the same answer again at about a
/// tenth of the request (docs/performance.md). Serialised with the application's JSON options,
/// so the bytes are what <c>TypedResults.Ok(dto)</c> would have written.
/// </summary>
public sealed class SnapshotBody<T>(Func<ApSnapshot, T> view, IOptions<JsonOptions> json)
{
    private sealed record Rendered(ApSnapshot Snapshot, byte[] Utf8);

    private Rendered? last;

    /// <summary>200 with the snapshot's rendering; a newer snapshot replaces the one kept (one entry, never growing).</summary>
    public IResult Ok(ApSnapshot snapshot)
    {
        var rendered = Volatile.Read(ref last);
        if (!ReferenceEquals(rendered?.Snapshot, snapshot))
        {
            rendered = new Rendered(snapshot, JsonSerializer.SerializeToUtf8Bytes(view(snapshot), json.Value.SerializerOptions));
            Volatile.Write(ref last, rendered);
        }
        return new Utf8JsonResult(rendered.Utf8);
    }
}

/// <summary>200 with JSON already encoded; what <c>Ok&lt;T&gt;</c> sends, without serialising again.</summary>
internal sealed class Utf8JsonResult(byte[] utf8) : IResult, IStatusCodeHttpResult, IContentTypeHttpResult
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public int? StatusCode => StatusCodes.Status200OK;

    public string ContentType => JsonContentType;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = JsonContentType;
        response.ContentLength = utf8.Length;
        // Through Body, not BodyWriter: HEAD replaces Body with a sink (HeadRequests).
        return response.Body.WriteAsync(utf8).AsTask();
    }
}
