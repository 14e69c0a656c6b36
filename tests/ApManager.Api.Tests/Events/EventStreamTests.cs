using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApManager.Api.Tests.Durability;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Events;

/// <summary>GET /api/events: one event per committed change or refusal, id = audit seq, resumable without gap or duplicate.</summary>
public class EventStreamTests
{
    private const string U = "e0e0e0e0-1111-4222-8333-444444444401";

    [Fact]
    public async Task EventsArriveInOrderWithTheAuditSeqAsTheirIdAndTheAuditDetailsAsTheirData()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await using var stream = await EventStreamClient.OpenAsync(client);

        await ExpectAsync(HttpStatusCode.OK, PutMaskAsync(client, "apmask", "-7"));                         // seq 1
        await ExpectAsync(HttpStatusCode.Created, client.PostAsync("/api/mdevs", Json($$"""{"uuid":"{{U}}","name":"events"}""")));
        await ExpectAsync(HttpStatusCode.OK, client.PutAsync($"/api/mdevs/{U}/adapters/7", null));          // seq 3
        await ExpectAsync(HttpStatusCode.OK, client.PutAsync($"/api/mdevs/{U}/domains/4", null));           // seq 4
        await ExpectAsync(HttpStatusCode.OK, PutMaskAsync(client, "apmask", "-3", dryRun: true));           // seq 5: no event
        await ExpectAsync(HttpStatusCode.Conflict, PutMaskAsync(client, "apmask", "+5"));                   // seq 6
        await ExpectAsync(HttpStatusCode.OK, client.PutAsync($"/api/mdevs/{U}/domains/4", null));           // seq 7: no-op, no event
        await ExpectAsync(HttpStatusCode.OK, client.PutAsJsonAsync("/api/adapters/7/configured", new { configured = false })); // seq 8

        var events = await stream.TakeAsync(9);

        Assert.Equal(2000, stream.Retry);
        Assert.Equal(
            [
                "1 bus-changed", "1 queues-rebound", "2 mdev-changed",
                "3 mdev-changed", // adapter 7 without a domain gives the guest no APQN: no guest-matrix-changed
                "4 mdev-changed", "4 guest-matrix-changed", "6 change-refused", "8 adapter-changed", "8 guest-matrix-changed",
            ],
            events.Select(e => e.ToString()));

        // Each event is its audit record: same seq, action, target, version and details.
        var audit = (await StateCapture.AuditAsync(client)).ToDictionary(r => (long)r["seq"]!);
        Assert.Equal(8, audit.Count);
        foreach (var e in events)
        {
            var record = audit[e.Id];
            Assert.Equal(e.Id, (long)e.Data["seq"]!);
            Assert.Equal(e.Type, (string?)e.Data["type"]);
            Assert.Equal((string?)record["action"], (string?)e.Data["action"]);
            Assert.Equal((string?)record["target"], (string?)e.Data["target"]);
            Assert.Equal((string?)record["actor"], (string?)e.Data["actor"]);
            Assert.Equal((long)record["versionAfter"]!, (long)e.Data["versionAfter"]!);
            Assert.True(JsonNode.DeepEquals(record["details"], e.Data["details"]), $"event {e}: {e.Data["details"]} vs audit {record["details"]}");
            Assert.Contains(e.Type, record["events"]!.AsArray().Select(t => (string)t!));
        }

        var rebound = events[1].Data["details"]!["rebound"]!.AsArray();
        Assert.Equal(["07.0004", "07.0005", "07.0006", "07.0047", "07.0048"], rebound.Select(r => (string)r!["apqn"]!));
        Assert.All(rebound, r => Assert.Equal("vfio_ap", (string?)r!["to"]));
        Assert.Equal(["07.0004"], events[5].Data["details"]!["mdevs"]![0]!["guestMatrix"]!.AsArray().Select(a => (string)a!));
        var refused = events[6].Data["details"]!;
        Assert.Equal("queues-in-use", (string?)refused["problem"]);
        Assert.Equal(["05.0004", "05.0047"], Apqns(refused["offendingApqns"]));
        Assert.Equal(5, (long)events[6].Data["versionAfter"]!);
        Assert.Empty(events[8].Data["details"]!["mdevs"]![0]!["guestMatrix"]!.AsArray());
    }

    [Fact]
    public async Task ReconnectingWithLastEventIdGetsExactlyTheLaterEventsWithoutGapOrDuplicate()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await MakeChangesAsync(client, 3, first: 0);

        List<ServerSentEvent> seen;
        await using (var stream = await EventStreamClient.OpenAsync(client))
        {
            seen = await stream.TakeAsync(3);
        }
        Assert.Equal([1L, 2L, 3L], seen.Select(e => e.Id));

        // Changes made while nobody listens.
        await MakeChangesAsync(client, 4, first: 3);

        await using (var resumed = await EventStreamClient.OpenAsync(client, lastEventId: "2"))
        {
            Assert.Equal([3L, 4L, 5L, 6L, 7L], (await resumed.TakeAsync(5)).Select(e => e.Id));

            // Then the live feed carries on with the next one: no duplicate of the backlog in between.
            await MakeChangesAsync(client, 1, first: 7);
            var live = await resumed.NextAsync();
            Assert.Equal(8, live.Id);
            Assert.Equal("bus-changed", live.Type);
        }
    }

    [Fact]
    public async Task AfterQueryParameterResumesLikeLastEventId()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await MakeChangesAsync(client, 5, first: 0);

        await using (var resumed = await EventStreamClient.OpenAsync(client, "/api/events?after=3"))
        {
            var backlog = await resumed.TakeAsync(2);
            Assert.Equal([4L, 5L], backlog.Select(e => e.Id));
            Assert.Equal([5L, 6L], backlog.Select(e => (long)e.Data["versionAfter"]!));
            await MakeChangesAsync(client, 1, first: 5);
            Assert.Equal(6, (await resumed.NextAsync()).Id);
        }

        // The header wins over the query: a browser's EventSource resends it on reconnect to the same URL.
        await using (var both = await EventStreamClient.OpenAsync(client, "/api/events?after=1", lastEventId: "5"))
        {
            Assert.Equal(6, (await both.NextAsync()).Id);
        }
    }

    [Fact]
    public async Task ResumingAfterARestartReplaysTheLaterEventsFromTheStore()
    {
        var path = NewStoragePath();
        try
        {
            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                await MakeChangesAsync(client, 4, first: 0);
            }

            await using (var app = new ApManagerApplication(storagePath: path))
            {
                using var client = app.CreateClient();
                await using var resumed = await EventStreamClient.OpenAsync(client, lastEventId: "2");
                var backlog = await resumed.TakeAsync(2);
                Assert.Equal([3L, 4L], backlog.Select(e => e.Id));
                Assert.All(backlog, e => Assert.Equal("bus.apmask", (string?)e.Data["action"]));
                Assert.Equal([4L, 5L], backlog.Select(e => (long)e.Data["versionAfter"]!));

                await MakeChangesAsync(client, 1, first: 4);
                var live = await resumed.NextAsync();
                Assert.Equal(5, live.Id);
                Assert.Equal(6, (long)live.Data["versionAfter"]!);
            }
        }
        finally
        {
            DeleteStorage(path);
        }
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData(" 7")]
    [InlineData("99999999999999999999")]
    public async Task MalformedLastEventIdIsABadRequestProblem(string lastEventId)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/events");
        request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);

        var problem = await AssertProblemAsync(await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead), 400, "/problems/invalid-query");

        Assert.Equal("Last-Event-ID", (string?)problem["parameter"]);
        Assert.Equal(lastEventId.Trim(), ((string?)problem["value"])?.Trim());
    }

    [Fact]
    public async Task MalformedAfterQueryIsABadRequestProblemNamingAfter()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var problem = await AssertProblemAsync(await client.GetAsync("/api/events?after=x7", HttpCompletionOption.ResponseHeadersRead), 400, "/problems/invalid-query");

        Assert.Equal("after", (string?)problem["parameter"]);
        Assert.Equal("x7", (string?)problem["value"]);
    }

    /// <summary>Mask writes that each commit one step with one bus-changed event: -104, +104, -104, … (bit 104 starts set).</summary>
    private static async Task MakeChangesAsync(HttpClient client, int count, int first)
    {
        for (var i = first; i < first + count; i++)
        {
            var mask = i % 2 == 0 ? "-104" : "+104";
            await ExpectAsync(HttpStatusCode.OK, PutMaskAsync(client, "apmask", mask));
        }
    }

    private static async Task ExpectAsync(HttpStatusCode status, Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.True(status == response.StatusCode, $"{response.RequestMessage!.Method} {response.RequestMessage.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
}
