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
    public async Task MetricsCanRequireAViewer()
    {
        await using var app = new ApManagerApplication(new Dictionary<string, string?> { ["ApManager:Metrics:RequireAuth"] = "true" });
        using var anonymous = app.CreateClient(null);
        await ApManagerApplication.AssertProblemAsync(await anonymous.GetAsync("/metrics"), 401, "/problems/unauthenticated");
        using var viewer = app.CreateClient(ApManagerApplication.ViewerKey);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/metrics")).StatusCode);
    }
}
