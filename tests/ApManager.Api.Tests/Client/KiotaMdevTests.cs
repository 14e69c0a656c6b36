using ApManager.Client.Models;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using static ApManager.Api.Tests.ApManagerApplication;

namespace ApManager.Api.Tests.Client;

/// <summary>Matrix devices, guests and persistent definitions through the Kiota client, refusals included.</summary>
public class KiotaMdevTests
{
    [Fact]
    [Drives("CreateMdev", "AssignAdapter", "UnassignAdapter", "AssignDomain", "UnassignDomain", "AssignControlDomain", "UnassignControlDomain",
        "ReplaceMdevConfig", "AttachGuest", "DetachGuest", "DeleteMdev", "GetMdev")]
    public async Task AnOperatorTakesAMatrixDeviceThroughItsWholeLifeAndTheDeleteAnswers204()
    {
        await using var session = KiotaSession.Start(this);
        var mdevs = session.Operator.Api.Mdevs;

        var created = await mdevs.PostAsync(new CreateMdevRequest { Name = "client-test" });
        var id = Guid.Parse(created!.Uuid!);
        var device = mdevs[id];
        Assert.Equal([9], (await device.Domains[9].PutAsync())!.Domains);
        Assert.Empty((await device.Domains[9].DeleteAsync())!.Domains!);
        Assert.Equal([4], (await device.ControlDomains[4].PutAsync())!.ControlDomains);
        Assert.Empty((await device.ControlDomains[4].DeleteAsync())!.ControlDomains!);
        Assert.Equal([6], (await device.Adapters[6].PutAsync())!.Adapters);
        Assert.Empty((await device.Adapters[6].DeleteAsync())!.Adapters!);
        var configured = await device.Config.PutAsync(new MdevConfigRequest { Adapters = [6], Domains = [5], ControlDomains = [5] });
        Assert.Equal(["06.0005"], configured!.Matrix);
        Assert.Equal("guest-z", (await device.Guest.PutAsync(new GuestRequest { Name = "guest-z" }))!.Guest);

        var inUse = await Assert.ThrowsAsync<MdevInUseProblem>(() => device.DeleteAsync());
        Assert.Equal((409, "/problems/mdev-in-use"), (inUse.ResponseStatusCode, inUse.Type));
        Assert.Equal(inUse.Detail, inUse.Message);

        Assert.Null((await device.Guest.DeleteAsync())!.Guest);
        var dryRun = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        await device.DeleteAsync(c => { c.QueryParameters.DryRun = true; c.Options.Add(dryRun); });
        Assert.Equal(["true"], dryRun.ResponseHeaders["ApManager-Dry-Run"]);
        Assert.NotNull(await device.GetAsync());
        await device.DeleteAsync();
        await Assert.ThrowsAsync<NotFoundProblem>(() => device.GetAsync());

        session.AssertDroveEveryDeclaredOperation();
    }

    [Fact]
    [Drives("CreateMdev", "AssignDomain", "AttachGuest", "DeleteMdev", "AssignAdapter", "GetMdev")]
    public async Task MatrixDeviceRefusalsArriveAsTypedProblems()
    {
        await using var session = KiotaSession.Start(this);
        var mdevs = session.Operator.Api.Mdevs;
        var created = await mdevs.PostAsync(new CreateMdevRequest { Name = "refused" });
        var device = mdevs[Guid.Parse(created!.Uuid!)];
        await device.Adapters[6].PutAsync();

        var conflict = await Assert.ThrowsAsync<ApqnConflictProblem>(() => device.Domains[4].PutAsync());
        Assert.Equal((409, "EADDRINUSE"), (conflict.ResponseStatusCode, conflict.Errno));
        Assert.Equal(["06.0004"], conflict.OffendingApqns!.Select(o => o.Apqn));
        Assert.Equal(conflict.Detail, conflict.Message);
        await Assert.ThrowsAsync<MdevExistsProblem>(() => mdevs.PostAsync(new CreateMdevRequest { Uuid = created.Uuid }));
        await Assert.ThrowsAsync<GuestHasMdevProblem>(() => device.Guest.PutAsync(new GuestRequest { Name = "guest-a" }));
        await Assert.ThrowsAsync<NotFoundProblem>(() => mdevs[Guid.NewGuid()].Adapters[6].PutAsync());
        await Assert.ThrowsAsync<ForbiddenProblem>(() => session.Viewer.Api.Mdevs[Guid.Parse(DeviceB)].DeleteAsync());
        await Assert.ThrowsAsync<UnauthenticatedProblem>(() => session.Anonymous.Api.Mdevs[Guid.Parse(DeviceB)].DeleteAsync());

        var stale = await Assert.ThrowsAsync<VersionMismatchProblem>(() => mdevs[Guid.Parse(DeviceB)].DeleteAsync(c => c.Headers.Add("If-Match", "\"999999\"")));
        Assert.Equal(412, stale.ResponseStatusCode);
        Assert.NotNull(await mdevs[Guid.Parse(DeviceB)].GetAsync());

        session.AssertDroveEveryDeclaredOperation();
    }

    [Fact]
    [Drives("PutPersistentMasks", "PutDefinition", "GetDefinition", "GetDefinitionHead", "DeleteDefinition", "DefineFromActive", "ActivateDefinition")]
    public async Task DefinitionsAreWrittenReadActivatedAndDeleted()
    {
        await using var session = KiotaSession.Start(this);
        var mdevs = session.Operator.Api.Mdevs;
        // The boot masks would give 05.0004 and 05.0047 to the host: an autostart definition of device A is refused.
        var conflict = await Assert.ThrowsAsync<DefinitionConflictProblem>(() => mdevs[Guid.Parse(DeviceA)].Definition.FromActive.PostAsync(new FromActiveRequest { Start = "auto" }));
        Assert.Equal((409, "/problems/definition-conflict"), (conflict.ResponseStatusCode, conflict.Type));
        Assert.Equal(["05.0004", "05.0047"], conflict.OffendingApqns!.Select(o => o.Apqn));
        var bus = await session.Admin.Api.Bus.GetAsync();
        await session.Admin.Api.Bus.Persistent.PutAsync(new PersistentMasksRequest { Apmask = bus!.Apmask, Aqmask = bus.Aqmask });
        var x = Guid.NewGuid();

        var defined = await mdevs[x].Definition.PutAsync(new DefinitionRequest { Start = "manual", Adapters = [6], Domains = [5], ControlDomains = [5] });
        Assert.Equal("manual", defined!.Start);
        Assert.Equal([6], (await mdevs[x].Definition.GetAsync())!.Adapters);
        await mdevs[x].Definition.HeadAsync();
        var active = await mdevs[x].Definition.Activate.PostAsync();
        Assert.Equal(["06.0005"], active!.Matrix);
        var fromActive = await mdevs[Guid.Parse(DeviceA)].Definition.FromActive.PostAsync(new FromActiveRequest { Start = "manual" });
        Assert.Equal(DeviceA, fromActive!.Uuid);

        var dryRun = new HeadersInspectionHandlerOption { InspectResponseHeaders = true };
        await mdevs[x].Definition.DeleteAsync(c => { c.QueryParameters.DryRun = true; c.Options.Add(dryRun); });
        Assert.Equal(["true"], dryRun.ResponseHeaders["ApManager-Dry-Run"]);
        await mdevs[x].Definition.DeleteAsync();
        await Assert.ThrowsAsync<NotFoundProblem>(() => mdevs[x].Definition.GetAsync());

        session.AssertDroveEveryDeclaredOperation();
    }
}
