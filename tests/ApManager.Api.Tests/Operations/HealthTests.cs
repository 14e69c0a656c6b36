using System.Net;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Operations;

public class HealthTests
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpointsAnswerHealthy(string path)
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", (string?)(await ReadObjectAsync(response))["status"]);
    }

    [Fact]
    public async Task ReadinessReportsTheStateCheck()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient();

        var health = await GetObjectAsync(client, "/health/ready");

        Assert.Equal("Healthy", (string?)health["checks"]!["state"]);
    }

    [Fact]
    public async Task RootServesTheDashboardAndSwaggerStaysAtItsPath()
    {
        await using var app = new ApManagerApplication();
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("ApManager", await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/swagger/index.html")).StatusCode);
    }
}
