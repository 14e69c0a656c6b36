using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;
using FsCheck;
using FsCheck.Xunit;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.State;

/// <summary>
/// Random operation sequences; after every call the whole snapshot is recomputed from the SPEC's
/// rules (binding rule, queue view, guest-matrix filter) and compared with what the incremental
/// step builder produced, together with the version rules of SPEC §8.
/// </summary>
public class ModelBasedTests
{
    private static readonly int[] Adapters = [3, 4, 5, 6, 7, 9];
    private static readonly int[] Domains = [4, 5, 6, 71, 72, 80];
    private static readonly MdevId[] Devices = [A, B, C];
    private static readonly string[] GuestNames = ["guest-a", "g2", "g3"];

    [Property(MaxTest = 400, EndSize = 80)]
    public void EveryStepMatchesAFromScratchRecomputationOfTheSpec(DoNotSize<uint>[] picks, bool startUnseeded)
    {
        var system = startUnseeded ? NewUnseededSystem() : NewSystem();
        Check(system.Current, null, null);
        foreach (var pick in picks)
        {
            var before = system.Current;
            var (name, rebound, ok) = Apply(system, pick.Item);
            var after = system.Current;
            if (!ok || ReferenceEquals(before, after))
            {
                Assert.Same(before, after);
                continue;
            }
            Assert.True(after.Version == before.Version + 1, $"{name}: version {before.Version} -> {after.Version}");
            Check(after, before, rebound, name);

        }
    }

    private static (string Name, IReadOnlyList<Rebound>? Rebound, bool Ok) Apply(ApSystem system, uint pick)
    {
        var op = pick % 20;
        var r = pick / 20;
        var a = Adapters[r % 6];
        var d = Domains[(r / 6) % 6];
        var dev = Devices[(r / 36) % 3];
        var dry = (r / 108) % 5 == 0;
        var sign = (r / 540) % 3 == 0 ? "+" : "-";
        switch (op)
        {
            case 0:
            case 1:
                {
                    var o = system.ChangeMasks(op == 0 ? In($"{sign}{a}") : null, op == 1 ? In($"{sign}{d}") : null, new WriteOptions(DryRun: dry));
                    return ($"mask {op} {sign}{(op == 0 ? a : d)} dry={dry}", o.Value?.Rebound, o.IsOk);
                }
            case 2:
                {
                    var o = system.ChangeMasks(In($"{sign}{a}"), In($"{(sign == "+" ? "-" : "+")}{d}"), new WriteOptions(DryRun: dry));
                    return ($"patch {sign}{a} {d} dry={dry}", o.Value?.Rebound, o.IsOk);
                }
            case 3:
            case 4:
            case 13:
            case 14:
            case 15:
            case 16:
                {
                    var adapterOp = op is 3 or 13 or 14;
                    var assign = op != 16;
                    var o = system.Assign(dev, adapterOp ? AssignTarget.Adapter : AssignTarget.Domain, adapterOp ? a : d, assign, new WriteOptions(DryRun: dry));
                    return ($"assign {op} {dev} {a}/{d} {sign} dry={dry}", null, o.IsOk);
                }
            case 5:
                return ($"control {dev} {d}", null, system.Assign(dev, AssignTarget.ControlDomain, d, sign == "+", new WriteOptions(DryRun: dry)).IsOk);
            case 6:
                return ($"attach {dev} {GuestNames[r % 3]}", null, system.AttachGuest(dev, GuestNames[r % 3], new WriteOptions(DryRun: dry)).IsOk);
            case 7:
                return ($"detach {dev}", null, system.DetachGuest(dev, new WriteOptions(DryRun: dry)).IsOk);
            case 8:
                {
                    var adapter = 3 + (int)(r % 5);
                    var o = system.SetAdapterConfigured(adapter, !system.Current.Adapter(adapter)!.Configured, new WriteOptions(DryRun: dry));
                    return ($"configure {adapter} dry={dry}", null, o.IsOk);
                }
            case 9:
                {
                    var driver = r % 4 == 0 ? WellKnownDrivers.Cex4QueueDriver : WellKnownDrivers.VfioApDriver;
                    if (system.Drivers.IsRegistered(driver.Name))
                    {
                        system.UnregisterDriver(driver.Name);
                    }
                    else
                    {
                        system.RegisterDriver(driver);
                    }
                    return ($"toggle {driver.Name}", null, true);
                }
            case 10:
                return system.Current.Mdev(dev) is null
                    ? ($"create {dev}", null, system.CreateMdev(dev, null, new WriteOptions(DryRun: dry)).IsOk)
                    : ($"delete {dev}", null, system.DeleteMdev(dev, new WriteOptions(DryRun: dry)).IsOk);
            case 11:
            case 17:
                {
                    long[] adapters = [.. new[] { 5, 6, 9 }.Where((_, i) => ((r >> i) & 1) != 0)];
                    long[] domains = [.. Domains.Where((_, i) => ((r >> (i + 6)) & 1) != 0)];
                    return ($"config {dev} [{string.Join(',', adapters)}] [{string.Join(',', domains)}]", null, system.ReplaceConfig(dev, adapters, domains, [d], new WriteOptions(DryRun: dry)).IsOk);
                }
            default:
                {
                    // Mostly in_use-relevant apmask writes: clear or set a device adapter.
                    var o = system.Apmask($"{sign}{Adapters[2 + (int)(r % 2)]}", new WriteOptions(DryRun: dry));
                    return ($"apmask {sign} dev-adapter", o.Value?.Rebound, o.IsOk);
                }
        }
    }

    private static void Check(ApSnapshot s, ApSnapshot? previous, IReadOnlyList<Rebound>? rebound, string step = "seed")
    {
        var topology = s.Topology;
        var apm = s.Bus.Apmask;
        var aqm = s.Bus.Aqmask;
        string? DriverFor(int a, int d) =>
            apm.Contains(a) && aqm.Contains(d)
                ? (s.Cex4QueueBinds ? "cex4queue" : null)
                : (s.VfioApBinds && topology.Adapter(a)!.Type.Generation is >= 4 and <= 8 ? "vfio_ap" : null);

        // Invariant I1 and the guest index.
        var owners = new Dictionary<Apqn, MatrixDevice>();
        foreach (var m in s.Mdevs)
        {
            foreach (var q in m.Assignment.Matrix)
            {
                Assert.True(owners.TryAdd(q, m), $"{step}: {q} in two devices");
            }
        }
        Assert.Equal(
            s.Mdevs.Where(m => m.Guest is not null).ToDictionary(m => m.Guest!, m => m.Id).OrderBy(kv => kv.Key),
            s.Guests.OrderBy(kv => kv.Key));
        Assert.Equal(s.Mdevs.Select(m => m.Id).Order(), s.Mdevs.Select(m => m.Id));

        // Queues exist exactly for configured adapters x usage domains and follow the binding rule.
        var expectedQueues = new List<string>();
        foreach (var adapter in topology.Adapters.Where(x => s.Adapter(x.Id)!.Configured))
        {
            foreach (var d in topology.UsageDomains)
            {
                expectedQueues.Add($"{new Apqn((byte)adapter.Id, (byte)d)} {DriverFor(adapter.Id, d) ?? "null"}");
            }
        }
        Assert.Equal(expectedQueues, s.Queues.Select(q => $"{q.Apqn} {q.Driver ?? "null"}"));

        // Guest matrices by the five rules of SPEC §6, by enumeration.
        foreach (var m in s.Mdevs)
        {
            var sApm = m.Adapters.ToArray().Where(a => s.Adapter(a) is { Configured: true }).ToList();
            var sAqm = m.Domains.ToArray().Where(topology.UsageDomains.Contains).ToList();
            sApm.RemoveAll(a => sAqm.Any(d => DriverFor(a, d) != "vfio_ap"));
            var expected = Rectangle(sApm, sAqm);
            Assert.True(expected.SequenceEqual(m.Shadow.Apqns), $"{step}: {m.Id} shadow {string.Join(' ', m.Shadow.Apqns)} expected {string.Join(' ', expected)}");
            Assert.Equal(m.ControlDomains & topology.ControlDomains, m.Shadow.ControlDomains);
        }

        // Queue view: mdev and guest derive from the devices.
        foreach (var q in s.Queues)
        {
            owners.TryGetValue(q.Apqn, out var owner);
            var guest = owner is { Guest: not null } && owner.Shadow.Contains(q.Apqn) ? owner.Guest : null;
            Assert.True((owner?.Id, guest) == (q.Mdev, q.Guest), $"{step}: {q.Apqn} shows {q.Mdev}/{q.Guest}, expected {owner?.Id}/{guest}");
        }

        if (previous is null)
        {
            return;
        }

        // Versions: a resource carries the new version exactly when its representation changed.
        var v = s.Version;
        var busChanged = s.Bus.Apmask != previous.Bus.Apmask || s.Bus.Aqmask != previous.Bus.Aqmask;
        Assert.Equal(busChanged ? v : previous.Bus.Version, s.Bus.Version);
        foreach (var m in s.Mdevs)
        {
            var old = previous.Mdev(m.Id);
            var changed = old is null || old.Name != m.Name || old.Assignment != m.Assignment || old.Guest != m.Guest || old.Shadow != m.Shadow;
            Assert.True((changed ? v : old!.Version) == m.Version, $"{step}: device {m.Id} version {m.Version}, changed={changed}");
        }
        var moved = new List<string>();
        foreach (var q in s.Queues)
        {
            var old = previous.Queue(q.Apqn);
            var changed = old is null || old.Driver != q.Driver || old.Mdev != q.Mdev || old.Guest != q.Guest;
            Assert.True((changed ? v : old!.Version) == q.Version, $"{step}: queue {q.Apqn} version {q.Version}, changed={changed}");
            if (old is not null && old.Driver != q.Driver)
            {
                moved.Add($"{q.Apqn} {old.Driver ?? "null"}->{q.Driver ?? "null"}");
            }
        }
        if (rebound is not null)
        {
            Assert.Equal(moved, Describe(rebound));
        }
    }
}
