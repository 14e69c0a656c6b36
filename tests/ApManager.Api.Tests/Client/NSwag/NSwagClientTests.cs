using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Client.NSwag;

/// <summary>The document also suits NSwag: its generated client reads, gets problems as typed results and deletes (204, dry run too).</summary>
public class NSwagClientTests
{
    [Fact]
    public async Task AnNSwagClientReadsTheBusAndGetsTheDemoRefusalAsATypedProblem()
    {
        await using var app = new ApManagerApplication();
        var client = new ApManagerNSwagClient(app.CreateClient());

        var bus = await client.GetBusAsync();
        Assert.StartsWith("0x", bus.Apmask);

        var refusal = await Assert.ThrowsAsync<ApiException<Problem>>(() => client.WriteApmaskAsync(new MaskWriteRequest { Mask = "+5,+6" }));
        Assert.Equal(409, refusal.StatusCode);
        var problem = Assert.IsType<QueuesInUseProblem>(refusal.Result);
        Assert.Equal(3, problem.OffendingApqns.Count);
        Assert.Equal(409, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Detail));
        Assert.Equal(bus.Version, (await client.GetBusAsync()).Version);
    }

    [Fact]
    public async Task AnNSwagClientDeletesAMatrixDeviceDryRunFirstWithoutThrowing()
    {
        await using var app = new ApManagerApplication();
        var client = new ApManagerNSwagClient(app.CreateClient(OperatorKey));
        var device = Guid.Parse(DeviceB);

        await client.DeleteMdevAsync(device, dryRun: true);
        Assert.Equal(DeviceB, (await client.GetMdevAsync(device)).Uuid);

        await client.DeleteMdevAsync(device);
        var gone = await Assert.ThrowsAsync<ApiException<NotFoundProblem>>(() => client.GetMdevAsync(device));
        Assert.Equal(404, gone.StatusCode);
    }
}
