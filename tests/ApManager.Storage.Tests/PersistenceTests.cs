using ApManager.Core.Host;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using ApManager.Core;
using static ApManager.Storage.Tests.StoreDirectory;

namespace ApManager.Storage.Tests;

/// <summary>
/// What the store keeps: every kind of change survives a reopen with the same versions and names,
/// a write the store refuses changes nothing (the simulated host included), and the audit trail
/// reads back in pages without ever showing a record that is not durable.
/// </summary>
public sealed class PersistenceTests : IDisposable
{
    private static readonly MdevId C = MdevId.Parse("c0ffee00-0000-4000-8000-000000000001");

    private readonly StoreDirectory _store = new();

    public void Dispose() => _store.Dispose();

    /// <summary>Everything a reader can see of a snapshot, versions included.</summary>
    private static string Describe(ApSnapshot s) => string.Join("\n",
        [
            $"v{s.Version} bus {s.Bus.Apmask} {s.Bus.Aqmask} v{s.Bus.Version}",
            .. s.Adapters.Select(a => $"adapter {a.Id} {a.Type} configured={a.Configured} v{a.Version}"),
            .. s.Mdevs.Select(m => $"mdev {m.Id} '{m.Name}' {m.Adapters}/{m.Domains}/{m.ControlDomains} guest={m.Guest} shadow={string.Join(',', m.Shadow.Apqns)} v{m.Version}"),
            .. s.Queues.Select(q => $"queue {q.Apqn} {q.Driver} {q.Mdev} {q.Guest} v{q.Version}"),
        ]);

    [Fact]
    public void EveryKindOfChangeSurvivesAReopenWithTheSameVersionsAndNames()
    {
        string before;
        var (store, system) = _store.Open();
        using (store)
        {
            Assert.True(system.ChangeMasks(MaskInput.FromString("-7"), null).IsOk);
            Assert.True(system.CreateMdev(C, "lab-c").IsOk);
            Assert.True(system.Assign(C, AssignTarget.Adapter, 7, true).IsOk);
            Assert.True(system.Assign(C, AssignTarget.Domain, 5, true).IsOk);
            Assert.True(system.AttachGuest(C, "guest-c").IsOk);
            Assert.True(system.SetAdapterConfigured(4, false).IsOk);
            Assert.True(system.DetachGuest(Seeds.DemoDeviceA).IsOk);
            Assert.True(system.DeleteMdev(Seeds.DemoDeviceA).IsOk);
            before = Describe(system.Current);
        }

        var (reopened, again) = _store.Open();
        using (reopened)
        {
            Assert.Equal(before, Describe(again.Current));
            // The restored simulated host is the one the snapshot shows: the next step builds on it.
            Assert.Equal(again.Current.Host.Devices.Select(d => d.Id), again.Host.Read().Devices.Select(d => d.Id));
            var next = again.Assign(C, AssignTarget.Domain, 6, true);
            Assert.True(next.IsOk);
            Assert.Equal(again.Current.Version, next.Value.Device!.Version);
        }
    }

    [Fact]
    public async Task AWriteTheStoreRefusesChangesNothingAndTheNextWriteBuildsOnTheDurableState()
    {
        var (store, system) = _store.Open();
        using (store)
        {
            var before = Describe(system.Current);
            _store.Execute("CREATE TRIGGER refuse BEFORE INSERT ON audit WHEN NEW.action = 'mdev.create' BEGIN SELECT RAISE(ABORT, 'disk says no'); END;");

            var refused = system.CreateMdev(C, "lost");
            await Assert.ThrowsAsync<StorageException>(() => refused.Durable);

            Assert.Equal(before, Describe(system.Current));
            // The simulated kernel forgot the device too: creating it again is not EEXIST.
            Assert.Null(system.Host.Read().Device(C));
            _store.Execute("DROP TRIGGER refuse;");
            var created = system.CreateMdev(C, "kept");
            await created.Durable;
            Assert.True(created.IsOk);
            Assert.Equal("kept", system.Current.Mdev(C)!.Name);
        }
    }

    [Fact]
    public void AnAdapterTheTopologyAddsLaterIsStoredOnceWithTheVersionItGotAtThatStart()
    {
        var (store, _) = _store.Open();
        store.Dispose();
        var wider = new HostTopology(63, 84, [.. HostTopology.Demo.Adapters, new AdapterSpec(9, new CardType(8, CardMode.Cca))],
            HostTopology.Demo.UsageDomains, HostTopology.Demo.ControlDomains);

        long version;
        var (second, system) = _store.Open(topology: wider);
        using (second)
        {
            version = system.Current.Adapter(9)!.Version;
            Assert.True(system.ChangeMasks(MaskInput.FromString("-3"), null).IsOk);
        }
        var (third, again) = _store.Open(topology: wider);
        using (third)
        {
            Assert.Equal(version, again.Current.Adapter(9)!.Version);
            Assert.Equal(version, again.Current.Queue(new Apqn(9, 4))!.Version);
        }
    }

    [Fact]
    public async Task TheAuditTrailReadsBackInPagesOldestFirst()
    {
        var (store, system) = _store.Open();
        using (store)
        {
            for (var i = 0; i < 5; i++)
            {
                await Flip(system, 100, clear: i % 2 == 0).Durable;
            }
            Assert.True(system.ChangeMasks(MaskInput.FromString("+5"), null, new WriteOptions(DryRun: true)).Refusal is QueuesInUse);

            var all = store.ReadAudit(0, 100);
            Assert.Equal([1L, 2, 3, 4, 5, 6], all.Select(r => r.Seq));
            Assert.Equal([2L, 3], store.ReadAudit(1, 2).Select(r => r.Seq));
            Assert.Empty(store.ReadAudit(6, 10));
            var refused = all[^1];
            Assert.False(refused.Accepted);
            Assert.True(refused.DryRun);
            Assert.Equal("queues-in-use", refused.Refusal);
            Assert.Contains("EBUSY", refused.Details, StringComparison.Ordinal);
            Assert.Equal(nameof(Errno.EBUSY), System.Text.Json.JsonDocument.Parse(refused.Details!).RootElement.GetProperty("errno").GetString());
        }
    }
}
