using System.Text;
using System.Text.Json.Nodes;

namespace ApManager.Api.Tests.Events;

/// <summary>One Server-Sent Event: its id, its type and its data parsed as JSON.</summary>
public sealed record ServerSentEvent(long Id, string Type, JsonObject Data)
{
    public override string ToString() => $"{Id} {Type}";
}

/// <summary>
/// Reads <c>GET /api/events</c> line by line as it streams (response headers first, then the body),
/// every read bounded by a timeout so a missing event fails the test instead of hanging it.
/// </summary>
public sealed class EventStreamClient : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private EventStreamClient(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    /// <summary>The <c>retry:</c> value the server sent, once seen.</summary>
    public int? Retry { get; private set; }

    public static async Task<EventStreamClient> OpenAsync(HttpClient client, string url = "/api/events", string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        var stream = await response.Content.ReadAsStreamAsync();
        return new EventStreamClient(response, new StreamReader(stream, Encoding.UTF8));
    }

    /// <summary>The next event with data; skips the retry block and keep-alive comments.</summary>
    public async Task<ServerSentEvent> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeout);
        long? id = null;
        string? type = null;
        var data = new StringBuilder();
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(cts.Token).AsTask().WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No event within {timeout ?? Timeout}.");
            }
            Assert.True(line is not null, "The event stream ended.");
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    Assert.True(id is not null, $"An event without id: {data}");
                    Assert.True(type is not null, $"An event without type: {data}");
                    return new ServerSentEvent(id.Value, type, JsonNode.Parse(data.ToString())!.AsObject());
                }
                continue;
            }
            if (line.StartsWith(':'))
            {
                continue;
            }
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? string.Empty : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id":
                    id = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "event":
                    type = value;
                    break;
                case "data":
                    data.Append(value);
                    break;
                case "retry":
                    Retry = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                default:
                    Assert.Fail($"Unknown event-stream field in '{line}'.");
                    break;
            }
        }
    }

    public async Task<List<ServerSentEvent>> TakeAsync(int count)
    {
        var events = new List<ServerSentEvent>();
        for (var i = 0; i < count; i++)
        {
            events.Add(await NextAsync());
        }
        return events;
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
