using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using ApManager.Core.Tests.Support;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.State;

/// <summary>SPEC §8: one writer at a time, readers never see half a step, versions without gaps.</summary>
public class ConcurrencyTests
{
    [Fact]
    public async Task ConcurrentWritersCommitGaplessVersionsAndReadersOnlySeeWholeSteps()
    {
        var system = NewSystem();
        var published = new List<(long Before, long After)>();
        system.Committed += (before, after) => published.Add((before.Version, after.Version));
        var stop = false;
        long torn = 0, reads = 0;

        var readers = Enumerable.Range(0, 2).Select(_ => Threads.Run(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                var s = system.Current;
                foreach (var q in s.Queues)
                {
                    var owned = s.IsDefaultOwned(q.Apqn.Adapter, q.Apqn.Domain);
                    if ((owned ? "cex4queue" : "vfio_ap") != q.Driver || q.Version > s.Version)
                    {
                        Interlocked.Increment(ref torn);
                    }
                }
                Interlocked.Increment(ref reads);
            }
        })).ToArray();
        while (Interlocked.Read(ref reads) < 2)
        {
            await Task.Delay(1);
        }
        var readsBeforeWrites = Interlocked.Read(ref reads);
        var writers = new[] { "7", "3", "4" }.Select(adapter => Threads.Run(() =>
        {
            for (var i = 0; i < 150; i++)
            {
                system.Apmask((i % 2 == 0 ? "-" : "+") + adapter).Ok();
                system.Aqmask(i % 2 == 0 ? "-72" : "+72").Ok();
            }
        })).ToArray();

        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(20));
        Volatile.Write(ref stop, true);
        await Task.WhenAll(readers).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(0, Interlocked.Read(ref torn));
        Assert.True(Interlocked.Read(ref reads) > readsBeforeWrites);
        Assert.All(published, p => Assert.Equal(p.Before + 1, p.After));
        Assert.Equal(Enumerable.Range(2, published.Count).Select(v => (long)v), published.Select(p => p.After));
        Assert.Equal(1 + published.Count, system.Current.Version);
        Assert.Equal("0xf9" + new string('f', 62), system.Current.Bus.Apmask.ToString());
    }

    [Fact]
    public void CreatingBeyondTheDeviceCapIsRefusedAfterTheExistenceCheck()
    {
        var system = ApSystem.InMemory(HostTopology.Demo, Seeds.Demo, maxMdevs: 3);
        system.CreateMdev(C, null).Ok();
        var before = system.Current;

        Assert.Equal(new MdevLimitReached(3), system.CreateMdev(null, null).Refused<MdevLimitReached>());
        Assert.Equal(new MdevExists(C), system.CreateMdev(C, null).Refused<MdevExists>());
        Assert.Same(before, system.Current);
    }
}
