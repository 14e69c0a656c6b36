using System.Net;

namespace ApManager.Api.Tests.Operations;

/// <summary>The Prometheus endpoint: what it counts, and who may read it.</summary>
public class MetricsTests
{
    [Fact]
    public async Task MetricsExposeRequestsByRouteAndStatusRefusalsQueuesDevicesGuestsAndCommitLatency()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        Assert.Equal(HttpStatusCode.Conflict, (await ApManagerApplication.PutMaskAsync(client, "apmask", "+5,+6")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await ApManagerApplication.PutMaskAsync(client, "apmask", "-3")).StatusCode);

        using var anonymous = app.CreateClient(null);
        var response = await anonymous.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("http_request_duration_seconds_count{code=\"409\",method=\"PUT\",controller=\"\",action=\"\",endpoint=\"/api/bus/apmask\"}", text);
        Assert.Contains("apmanager_problems_total{problem_type=\"/problems/queues-in-use\",status=\"409\"}", text);
        Assert.Contains("apmanager_queues{driver=\"vfio_ap\"} 15", text);
        Assert.Contains("apmanager_queues{driver=\"cex4queue\"} 10", text);
        Assert.Contains("apmanager_mdevs 2", text);
        Assert.Contains("apmanager_guests 1", text);
        Assert.Matches(@"apmanager_store_commit_seconds_count [1-9]", text);
    }

    [Fact]
    public async Task MetricsCountDefinitionsByStartModeAndFollowChanges()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();
        await Persistence.DefinitionTests.KeepActiveMasksAtBootAsync(client);
        using var anonymous = app.CreateClient(null);
        var before = await anonymous.GetStringAsync("/metrics");
        Assert.Contains("apmanager_definitions{start=\"auto\"} 0", before);
        Assert.Contains("apmanager_definitions{start=\"manual\"} 0", before);
        Assert.Contains("apmanager_definitions{start=\"unreadable\"} 0", before);

        // mdevctl define -a for A, mdevctl define (manual) for B.
        var a = await client.PostAsync("/api/mdevs/0b1f7c3e-2d4a-4e55-9f1d-7a0c2b9e6d11/definition/from-active", Json("{\"start\":\"auto\"}"));
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        var b = await client.PostAsync("/api/mdevs/5d2e8a41-93c7-4f0b-8b6e-2c4f1a7d9e30/definition/from-active", Json("{\"start\":\"manual\"}"));
        Assert.Equal(HttpStatusCode.OK, b.StatusCode);

        var after = await anonymous.GetStringAsync("/metrics");
        Assert.Contains("apmanager_definitions{start=\"auto\"} 1", after);
        Assert.Contains("apmanager_definitions{start=\"manual\"} 1", after);
        Assert.Contains("apmanager_definitions{start=\"unreadable\"} 0", after);
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

    [Fact]
    public async Task MetricsCanRequireAViewer()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Metrics:RequireAuth"] = "true" });
        using var anonymous = app.CreateClient(null);
        await ApManagerApplication.AssertProblemAsync(await anonymous.GetAsync("/metrics"), 401, "/problems/unauthenticated");
        using var viewer = app.CreateClient(ApManagerApplication.ViewerKey);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/metrics")).StatusCode);
    }
}
