using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.Json;
using System.Text;
using System.Threading.Channels;
using ApManager.Api.Access;
using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.Audit;
using ApManager.Core.Journal;
using Microsoft.AspNetCore.Mvc;

namespace ApManager.Api.Events;

/// <summary>
/// Server-Sent Events: one event per committed change or refusal, <c>id</c> = audit seq.
/// A reconnecting client sends <c>Last-Event-ID</c> and gets everything after it from the store,
/// then the live feed, without gap or duplicate. Each client has a bounded buffer; a client that
/// falls that far behind is disconnected (it resumes from the store) so writers never wait.
/// </summary>
public static class EventEndpoints
{
    public const int ClientBuffer = 4096;
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/events").WithTags("Events").Read().MapMethods("/", HeadRequests.GetAndHead, Stream)
            .WithName(OpenApi.EventStreamFilter.EndpointName)
            .WithSummary("Follow changes live (Server-Sent Events)")
            .WithDescription("`text/event-stream`. Event types: bus-changed, queues-rebound, mdev-changed, guest-matrix-changed, adapter-changed, queues-switched (queues set online or offline), host-changed (a real host changed by another tool: actor `host`), definitions-changed (a persistent definition or the persistent masks changed), change-refused; `id` is the audit seq (events of one audit record share it and are sent together). Resume with the `Last-Event-ID` header (or `?after=`). Browsers' EventSource cannot send headers: pass the key or token as `?access_token=` here (only here). A comment line is sent every 15 s to keep proxies open.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .ProducesProblemType(ProblemCatalog.InvalidQuery)
            .AllowQuery("after", "access_token");
        return routes;
    }

    public static async Task<IResult> Stream(HttpContext context, IStateJournal journal, IHostApplicationLifetime lifetime, [FromQuery] string? after)
    {
        var resumeText = context.Request.Headers["Last-Event-ID"].ToString();
        var source = "Last-Event-ID";
        if (string.IsNullOrEmpty(resumeText))
        {
            resumeText = after ?? "0";
            source = "after";
        }
        if (!long.TryParse(resumeText, NumberStyles.None, CultureInfo.InvariantCulture, out var last))
        {
            return ProblemFactory.InvalidQuery(context, source, resumeText, "Use the id of the last event received (an audit seq).");
        }

        if (last > journal.LastSeq)
        {
            return ProblemFactory.InvalidQuery(context, "Last-Event-ID", resumeText,
                $"No event {last} exists yet (the latest is {journal.LastSeq}); the trail may have been restored from a backup. Reload the state and reconnect without Last-Event-ID.");
        }

        if (HttpMethods.IsHead(context.Request.Method))
        {
            // The stream's headers without the stream: a HEAD must end.
            context.Response.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            return Results.Empty;
        }

        var channel = Channel.CreateBounded<AuditRecord>(new BoundedChannelOptions(ClientBuffer) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        void OnDurable(IReadOnlyList<AuditRecord> records)
        {
            foreach (var r in records)
            {
                if (!channel.Writer.TryWrite(r))
                {
                    // Too far behind: end this stream; the client resumes from the store.
                    channel.Writer.TryComplete();
                    return;
                }
            }
        }

        journal.Durable += OnDurable;
        try
        {
            var response = context.Response;
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            // The stream ends when the client goes or the service stops: the host waits for open
            // requests when it stops, and a dashboard left open held every restart until systemd's
            // stop timeout killed the service. The client reconnects (retry) and resumes by id.
            using var ending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
            var ct = ending.Token;
            await response.WriteAsync("retry: 2000\n\n", ct);
            await response.Body.FlushAsync(ct);

            // Backlog from the store, then the live feed; seq numbers tell the overlap apart.
            while (true)
            {
                var page = journal.ReadAudit(last, 500);
                if (page.Count == 0)
                {
                    break;
                }
                foreach (var record in page)
                {
                    await WriteAsync(response, record, ct);
                    last = record.Seq;
                }
                await response.Body.FlushAsync(ct);
            }

            while (!ct.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(Heartbeat);
                bool more;
                try
                {
                    more = await channel.Reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    continue;
                }
                if (!more)
                {
                    break;
                }
                while (channel.Reader.TryRead(out var record))
                {
                    if (record.Seq <= last)
                    {
                        continue;
                    }
                    await WriteAsync(response, record, ct);
                    last = record.Seq;
                }
                await response.Body.FlushAsync(ct);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested || lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // The client went away, or the service is stopping.
        }
        finally
        {
            journal.Durable -= OnDurable;
            channel.Writer.TryComplete();
        }
        return Results.Empty;
    }

    private static async Task WriteAsync(HttpResponse response, AuditRecord record, CancellationToken ct)
    {
        if (record.Events.Count == 0)
        {
            return;
        }
        var details = record.Details is null ? null : JsonNode.Parse(record.Details);
        var text = new StringBuilder();
        foreach (var type in record.Events)
        {
            var data = new JsonObject
            {
                ["seq"] = record.Seq,
                ["type"] = type,
                ["time"] = record.Time,
                ["actor"] = record.Actor,
                ["action"] = record.Action,
                ["target"] = record.Target,
                ["versionAfter"] = record.VersionAfter,
                ["details"] = details?.DeepClone(),
            };
            text.Append("id: ").Append(record.Seq.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("event: ").Append(type).Append('\n')
                .Append("data: ").Append(data.ToJsonString(Json)).Append("\n\n");
        }
        await response.WriteAsync(text.ToString(), ct);
    }
}
