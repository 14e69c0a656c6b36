using ApManager.Client.Models;
using Microsoft.Kiota.Abstractions.Serialization;

namespace ApManager.Api.Tests.Client;

/// <summary>Mask writes, adapters and queues, persistence and transfer through the Kiota client, refusals included.</summary>
public class KiotaBusAndHostTests
{
    [Fact]
    [Drives("WriteApmask", "WriteAqmask", "WriteMasks")]
    public async Task TheDemoRefusalArrivesAsAQueuesInUseProblemCarryingEveryOffender()
    {
        await using var session = KiotaSession.Start(this);
        var api = session.Admin.Api;
        var before = await api.Bus.GetAsync();

        var refusal = await Assert.ThrowsAsync<QueuesInUseProblem>(() => api.Bus.Apmask.PutAsync(new MaskWriteRequest { Mask = "+5,+6" }));

        Assert.Equal(409, refusal.ResponseStatusCode);
        Assert.Equal(("/problems/queues-in-use", 409, "EBUSY", "apmask", "+5,+6"), (refusal.Type, refusal.Status, refusal.Errno, refusal.Attribute, refusal.Input));
        Assert.False(string.IsNullOrEmpty(refusal.Title));
        Assert.Equal(refusal.Detail, refusal.Message);
        Assert.Equal(3, refusal.OffendingApqns!.Count);
        Assert.All(refusal.OffendingApqns, o => Assert.Equal("vfio_ap", o.Driver));
        Assert.Contains(refusal.OffendingApqns, o => o.Apqn == "05.0004" && o.Guest == "guest-a");
        Assert.Equal(before!.Version, (await api.Bus.GetAsync())!.Version);

        var dry = await api.Bus.Aqmask.PutAsync(new MaskWriteRequest { Mask = "" }, c => c.QueryParameters.DryRun = true);
        Assert.True(dry!.DryRun);
        var patched = await api.Bus.Masks.PatchAsync(new MasksPatchRequest { Aqmask = before.Aqmask });
        Assert.Equal(before.Aqmask, patched!.Aqmask);
        Assert.Empty(patched.Rebound!);

        session.AssertDroveEveryDeclaredOperation();
    }

    [Fact]
    [Drives("WriteApmask", "WriteAqmask", "WriteMasks", "SetAdapterConfigured", "PutPersistentMasks", "Import")]
    public async Task WritesWithoutAKeyAWeakRoleOrAStaleETagThrowTypedProblemsAndChangeNothing()
    {
        await using var session = KiotaSession.Start(this);
        var write = new MaskWriteRequest { Mask = "-7" };
        var before = await session.Admin.Api.Bus.GetAsync();

        var unauthenticated = await Assert.ThrowsAsync<UnauthenticatedProblem>(() => session.Anonymous.Api.Bus.Apmask.PutAsync(write));
        Assert.Equal(401, unauthenticated.ResponseStatusCode);
        var forbidden = await Assert.ThrowsAsync<ForbiddenProblem>(() => session.Viewer.Api.Bus.Aqmask.PutAsync(write));
        Assert.Equal((403, "/problems/forbidden"), (forbidden.ResponseStatusCode, forbidden.Type));
        Assert.Equal(forbidden.Detail, forbidden.Message);
        await Assert.ThrowsAsync<ForbiddenProblem>(() => session.Operator.Api.Bus.Masks.PatchAsync(new MasksPatchRequest { Apmask = "-7" }));
        await Assert.ThrowsAsync<ForbiddenProblem>(() => session.Operator.Api.Adapters[5].Configured.PutAsync(new ConfiguredRequest { Configured = false }));
        await Assert.ThrowsAsync<ForbiddenProblem>(() => session.Viewer.Api.Bus.Persistent.PutAsync(new PersistentMasksRequest { Apmask = "-7" }));
        await Assert.ThrowsAsync<ForbiddenProblem>(() => session.Operator.Api.Import.PostAsync(new ImportRequest()));

        var stale = await Assert.ThrowsAsync<VersionMismatchProblem>(() => session.Admin.Api.Bus.Apmask.PutAsync(write, c => c.Headers.Add("If-Match", $"\"{before!.Version + 1}\"")));
        Assert.Equal((412, "/problems/version-mismatch", before!.Version), (stale.ResponseStatusCode, stale.Type, stale.CurrentVersion));
        Assert.Equal($"\"{before.Version}\"", stale.CurrentETag);
        Assert.Equal(stale.Detail, stale.Message);

        var notFound = await Assert.ThrowsAsync<NotFoundProblem>(() => session.Admin.Api.Adapters[0xfe].Configured.PutAsync(new ConfiguredRequest { Configured = true }));
        Assert.Equal(404, notFound.ResponseStatusCode);
        Assert.Equal(before.Version, (await session.Admin.Api.Bus.GetAsync())!.Version);

        session.AssertDroveEveryDeclaredOperation();
    }

    [Fact]
    [Drives("SetAdapterConfigured", "SetAdapterOnline", "SetQueueOnline")]
    public async Task AdaptersAndQueuesSwitchAndPreview()
    {
        await using var session = KiotaSession.Start(this);
        var api = session.Admin.Api;

        var deconfigure = await api.Adapters[5].Configured.PutAsync(new ConfiguredRequest { Configured = false }, c => c.QueryParameters.DryRun = true);
        Assert.True(deconfigure!.DryRun);
        Assert.Equal(false, deconfigure.Adapter!.Configured);
        var offline = await api.Adapters[5].Online.PutAsync(new OnlineRequest { Online = false });
        Assert.Equal(false, offline!.Adapter!.Online);
        var hostQueue = (await api.Queues.GetAsync(c => c.QueryParameters.Driver = "cex4queue"))![0].Apqn!;
        var queue = await api.Queues[hostQueue].Online.PutAsync(new OnlineRequest { Online = false }, c => c.QueryParameters.DryRun = true);
        Assert.Equal(true, queue!.DryRun);
        Assert.Equal(hostQueue, queue.Queue!.Apqn);
        var noSwitch = await Assert.ThrowsAsync<NoOnlineSwitchProblem>(() => api.Queues["06.0004"].Online.PutAsync(new OnlineRequest { Online = false }));
        Assert.Equal((409, "/problems/no-online-switch"), (noSwitch.ResponseStatusCode, noSwitch.Type));

        session.AssertDroveEveryDeclaredOperation();
    }

    [Fact]
    [Drives("PutPersistentMasks", "RebootHost", "Export", "Import")]
    public async Task PersistentMasksRebootAndARoundTripOfTheExport()
    {
        await using var session = KiotaSession.Start(this);
        var api = session.Admin.Api;
        var bus = await api.Bus.GetAsync();

        var persistent = await api.Bus.Persistent.PutAsync(new PersistentMasksRequest { Apmask = bus!.Apmask, Aqmask = bus.Aqmask });
        Assert.Equal(bus.Apmask, persistent!.Apmask);
        var reboot = await api.Host.Reboot.PostAsync();
        Assert.NotNull(reboot!.Preview);

        var export = await api.Export.GetAsync();
        var import = await KiotaJsonSerializer.DeserializeAsync(await KiotaJsonSerializer.SerializeAsStringAsync(export!), ImportRequest.CreateFromDiscriminatorValue);
        var preview = await api.Import.PostAsync(import!, c => c.QueryParameters.DryRun = true);
        Assert.Equal(true, preview!.DryRun);
        var applied = await api.Import.PostAsync(import!);
        Assert.Equal(false, applied!.Changed);
        Assert.Equal(export!.Mdevs!.Count, applied.Configuration!.Mdevs!.Count);

        session.AssertDroveEveryDeclaredOperation();
    }
}
