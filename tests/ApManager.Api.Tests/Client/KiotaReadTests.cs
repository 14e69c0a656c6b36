using ApManager.Client.Models;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Client;

/// <summary>Every read through the generated Kiota client: typed models, HEADs, and refusals as typed problems.</summary>
public class KiotaReadTests
{
    [Fact]
    [Drives("GetBus", "GetBusHead", "ListAdapters", "ListAdaptersHead", "GetAdapter", "GetAdapterHead", "ListQueues", "ListQueuesHead",
        "GetQueue", "GetQueueHead", "ListDrivers", "ListDriversHead", "ListMdevs", "ListMdevsHead", "GetMdev", "GetMdevHead",
        "ListAudit", "ListAuditHead", "Export", "ExportHead", "GetHost", "GetHostHead", "ListDefinitions", "ListDefinitionsHead",
        "GetPersistentMasks", "GetPersistentMasksHead", "GetBootPreview", "GetBootPreviewHead", "ListProblemTypes", "ListProblemTypesHead",
        "GetProblemType", "GetProblemTypeHead", "Live", "LiveHead", "Ready", "ReadyHead")]
    public async Task AViewerReadsEveryResourceAsTypedModels()
    {
        await using var session = KiotaSession.Start(this);
        var api = session.Viewer.Api;

        var bus = await api.Bus.GetAsync();
        Assert.StartsWith("0x", bus!.Apmask);
        Assert.Equal(64 + 2, bus.Aqmask!.Length);
        Assert.True(bus.Version > 0);
        await api.Bus.HeadAsync();
        Assert.NotEmpty((await api.Adapters.GetAsync())!);
        Assert.Equal(5, (await api.Adapters[5].GetAsync())!.Id);
        await api.Adapters.HeadAsync();
        await api.Adapters[5].HeadAsync();
        var queues = await api.Queues.GetAsync(c => c.QueryParameters.Adapter = "5");
        Assert.All(queues!, q => Assert.Equal(5, q.Adapter));
        Assert.Equal("05.0004", (await api.Queues["05.0004"].GetAsync())!.Apqn);
        await api.Queues.HeadAsync();
        await api.Queues["05.0004"].HeadAsync();
        Assert.Contains((await api.Drivers.GetAsync())!, d => d.Name == "vfio_ap");
        await api.Drivers.HeadAsync();
        Assert.Contains((await api.Mdevs.GetAsync())!, m => m.Uuid == DeviceA);
        Assert.Equal("guest-a", (await api.Mdevs[Guid.Parse(DeviceA)].GetAsync())!.Guest);
        await api.Mdevs.HeadAsync();
        await api.Mdevs[Guid.Parse(DeviceA)].HeadAsync();
        Assert.NotNull(await api.Audit.GetAsync(c => c.QueryParameters.Limit = 5));
        await api.Audit.HeadAsync();
        Assert.NotEmpty((await api.Export.GetAsync())!.Mdevs!);
        await api.Export.HeadAsync();
        Assert.NotNull((await api.Host.GetAsync())!.Mode);
        await api.Host.HeadAsync();
        Assert.NotNull(await api.Definitions.GetAsync());
        await api.Definitions.HeadAsync();
        Assert.NotNull(await api.Bus.Persistent.GetAsync());
        await api.Bus.Persistent.HeadAsync();
        Assert.NotNull(await api.BootPreview.GetAsync());
        await api.BootPreview.HeadAsync();

        var anonymous = session.Anonymous;
        Assert.Contains((await anonymous.Problems.GetAsync())!, p => p.Type == "/problems/queues-in-use");
        await anonymous.Problems.HeadAsync();
        Assert.Equal(409, (await anonymous.Problems["queues-in-use"].GetAsync())!.Status);
        await anonymous.Problems["queues-in-use"].HeadAsync();
        Assert.NotNull(await anonymous.Health.Live.GetAsync());
        await anonymous.Health.Live.HeadAsync();
        Assert.NotNull(await anonymous.Health.Ready.GetAsync());
        await anonymous.Health.Ready.HeadAsync();

        session.AssertDroveEveryDeclaredOperation();
    }

    [Fact]
    [Drives("GetBus", "GetMdev", "GetQueue", "GetProblemType")]
    public async Task ReadsWithoutAKeyOrOfUnknownIdsThrowTypedProblemsWhoseMessageIsTheDetail()
    {
        await using var session = KiotaSession.Start(this);

        var unauthenticated = await Assert.ThrowsAsync<UnauthenticatedProblem>(() => session.Anonymous.Api.Bus.GetAsync());
        Assert.Equal(401, unauthenticated.ResponseStatusCode);
        Assert.Equal("/problems/unauthenticated", unauthenticated.Type);
        Assert.Equal(unauthenticated.Detail, unauthenticated.Message);
        Assert.False(string.IsNullOrEmpty(unauthenticated.Message));

        var device = await Assert.ThrowsAsync<NotFoundProblem>(() => session.Viewer.Api.Mdevs[Guid.NewGuid()].GetAsync());
        Assert.Equal((404, "/problems/not-found", 404), (device.ResponseStatusCode, device.Type, device.Status));
        Assert.Equal(device.Detail, device.Message);
        Assert.False(string.IsNullOrEmpty(device.Title));
        Assert.NotNull(device.Kind);
        await Assert.ThrowsAsync<NotFoundProblem>(() => session.Viewer.Api.Queues["3f.00ff"].GetAsync());
        await Assert.ThrowsAsync<NotFoundProblem>(() => session.Anonymous.Problems["no-such-problem"].GetAsync());

        session.AssertDroveEveryDeclaredOperation();
    }

    [Fact]
    [Drives("Events", "EventsHead")]
    public async Task TheEventStreamOpensWithItsRetryLine()
    {
        await using var session = KiotaSession.Start(this);
        await session.Viewer.Api.Events.HeadAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        await using var stream = await session.Viewer.Api.Events.GetAsync(cancellationToken: timeout.Token);
        using var reader = new StreamReader(stream!);

        Assert.Equal("retry: 2000", await reader.ReadLineAsync(timeout.Token));

        session.AssertDroveEveryDeclaredOperation();
    }
}
