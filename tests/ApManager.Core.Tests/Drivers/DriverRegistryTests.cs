using System.Runtime.CompilerServices;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using ApManager.Core.Tests.Support;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.Drivers;

/// <summary>SPEC §4 "Registry safety": the module-unload race, modelled with threads.</summary>
public class DriverRegistryTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly ApSnapshot Snapshot = NewSystem().Current;
    private static readonly InUseQuery Adapter5 = InUseQuery.Single(ApMask.Of(5), ApMask.All);

    [Fact]
    public void RegisteringATakenNameThrowsAndKeepsTheFirstRegistration()
    {
        var registry = new DriverRegistry();
        var first = new DriverDefinition("x", false);
        registry.Register(first);

        Assert.Throws<InvalidOperationException>(() => registry.Register(new DriverDefinition("x", true, (_, _) => [])));

        Assert.Same(first, Assert.Single(registry.Registered));
    }

    [Fact]
    public void RegisteringATakenNameOnTheSystemThrowsAndIsNotAStep()
    {
        var system = NewSystem();
        var before = system.Current;

        Assert.Throws<InvalidOperationException>(() => system.RegisterDriver(new DriverDefinition("vfio_ap", false)));

        Assert.Same(before, system.Current);
        Assert.Same(WellKnownDrivers.VfioApDriver, system.Drivers.Registered.Single(d => d.Name == "vfio_ap"));
    }

    [Fact]
    public void UnregisteringAnUnknownDriverReturnsFalse()
    {
        var system = NewSystem();

        Assert.False(system.Drivers.Unregister("nope"));
        Assert.False(system.UnregisterDriver("nope"));
        Assert.Equal(1, system.Current.Version);
    }

    [Fact]
    public void RegisteringOrUnregisteringADriverThatBindsNothingIsNotAStep()
    {
        var system = NewSystem();
        var before = system.Current;

        system.RegisterDriver(new Probe().Definition);
        Assert.True(system.UnregisterDriver("probe"));

        Assert.Same(before, system.Current);
    }

    [Fact]
    public async Task UnregisterWaitsForACallbackInFlightWhichRunsToCompletionAndIsNeverCalledAgain()
    {
        var registry = new DriverRegistry();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        long order = 0, finishedAt = 0, unregisteredAt = 0;
        var calls = 0;
        registry.Register(new DriverDefinition("slow", false, (_, _) =>
        {
            Interlocked.Increment(ref calls);
            entered.TrySetResult();
            release.Wait(Patience);
            Thread.Sleep(20);
            Interlocked.Exchange(ref finishedAt, Interlocked.Increment(ref order));
            return [new Offender(Q("05.0004"), "slow", null, null)];
        }));

        var query = Threads.Run(() => registry.Query(Snapshot, Adapter5));
        await entered.Task.WaitAsync(Patience);
        var unregister = Threads.Run(() =>
        {
            var removed = registry.Unregister("slow");
            Interlocked.Exchange(ref unregisteredAt, Interlocked.Increment(ref order));
            return removed;
        });
        Assert.True(await Threads.Eventually(() => !registry.IsRegistered("slow"), Patience));
        await Task.Delay(200);

        Assert.False(unregister.IsCompleted, "Unregister returned while the callback was still running.");
        release.Set();
        Assert.True(await unregister.WaitAsync(Patience));
        var answer = await query.WaitAsync(Patience);

        Assert.False(answer.Failed);
        Assert.Equal(["05.0004 slow - -"], Describe(answer.Offenders));
        Assert.True(finishedAt < unregisteredAt, $"callback finished at {finishedAt}, Unregister returned at {unregisteredAt}");
        Assert.Same(InUseAnswer.None, registry.Query(Snapshot, Adapter5));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task ADriverUnregisteredBeforeARunningQueryReachesItIsSkippedWithoutFailingTheQuery()
    {
        var registry = new DriverRegistry();
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        var lateCalls = 0;
        registry.Register(new DriverDefinition("gate", false, (_, _) =>
        {
            entered.TrySetResult();
            release.Wait(Patience);
            return [];
        }));
        registry.Register(new DriverDefinition("late", false, (_, _) =>
        {
            Interlocked.Increment(ref lateCalls);
            return [new Offender(Q("05.0004"), "late", null, null)];
        }));

        var query = Threads.Run(() => registry.Query(Snapshot, Adapter5));
        await entered.Task.WaitAsync(Patience);
        var unregistered = await Threads.Run(() => registry.Unregister("late")).WaitAsync(Patience);
        release.Set();
        var answer = await query.WaitAsync(Patience);

        Assert.True(unregistered);
        Assert.False(answer.Failed);
        Assert.Empty(answer.Offenders);
        Assert.Equal(0, lateCalls);
    }

    [Fact]
    public async Task UnderConcurrentQueriesACallbackNeverRunsAfterUnregisterReturnsAndNoQueryFails()
    {
        var registry = new DriverRegistry();
        var stop = false;
        long violations = 0, calls = 0, failures = 0, queries = 0;
        var queriers = Enumerable.Range(0, Math.Max(2, Environment.ProcessorCount - 1)).Select(_ => Threads.Run(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                if (registry.Query(Snapshot, Adapter5).Failed)
                {
                    Interlocked.Increment(ref failures);
                }
                Interlocked.Increment(ref queries);
            }
        })).ToArray();

        for (var round = 0; round < 400; round++)
        {
            var gone = new StrongBox<bool>();
            registry.Register(new DriverDefinition("flaky", false, (_, _) =>
            {
                if (Volatile.Read(ref gone.Value))
                {
                    Interlocked.Increment(ref violations);
                }
                Interlocked.Increment(ref calls);
                Thread.SpinWait(500);
                if (Volatile.Read(ref gone.Value))
                {
                    Interlocked.Increment(ref violations);
                }
                return [];
            }));
            Thread.SpinWait(2000);
            Assert.True(registry.Unregister("flaky"));
            Volatile.Write(ref gone.Value, true);
        }
        Volatile.Write(ref stop, true);
        await Task.WhenAll(queriers).WaitAsync(Patience);

        Assert.Equal(0, Interlocked.Read(ref violations));
        Assert.Equal(0, Interlocked.Read(ref failures));
        Assert.True(Interlocked.Read(ref calls) > 0, $"no callback ran during {queries} queries");
    }

    [Fact]
    public async Task UnregisteringFromInsideTheOwnCallbackFailsFastWithoutDeadlock()
    {
        var registry = new DriverRegistry();
        Exception? caught = null;
        registry.Register(new DriverDefinition("self", false, (_, _) =>
        {
            try
            {
                registry.Unregister("self");
            }
            catch (Exception ex)
            {
                caught = ex;
            }
            return [];
        }));

        var answer = await Threads.Run(() => registry.Query(Snapshot, Adapter5)).WaitAsync(Patience);

        Assert.IsType<InvalidOperationException>(caught);
        Assert.False(answer.Failed);
        Assert.True(registry.IsRegistered("self"));
        Assert.True(registry.Unregister("self"));
    }

    [Fact]
    public async Task ACallbackUnregisteringItselfFromTheSystemFailsTheWriteClosedWithoutDeadlock()
    {
        var system = NewSystem();
        system.Apmask("-8").Ok();
        system.RegisterDriver(new DriverDefinition("self", false, (_, _) =>
        {
            system.UnregisterDriver("self");
            return [];
        }));
        var before = system.Current;

        var outcome = await Threads.Run(() => system.Apmask("+8")).WaitAsync(Patience);

        var refusal = outcome.Refused<InUseCheckFailed>();
        Assert.Equal("self", refusal.Driver);
        Assert.IsType<InvalidOperationException>(refusal.Error);
        Assert.Same(before, system.Current);
        Assert.True(system.Drivers.IsRegistered("self"));
    }

    [Fact]
    public void UnregisteringVfioApLeavesNonDefaultQueuesUnboundAndReRegisteringBindsThemAgain()
    {
        var system = NewSystem();

        Assert.True(system.UnregisterDriver("vfio_ap"));

        var s = system.Current;
        Assert.Equal(2, s.Version);
        Assert.False(s.VfioApBinds);
        Assert.Equal(10, s.Queues.Count(q => q.Driver is null));
        Assert.Equal(15, s.Queues.Count(q => q.Driver == "cex4queue"));
        Assert.All(s.Queues.Where(q => q.Apqn.Adapter is 5 or 6), q => Assert.Null(q.Driver));
        Assert.Equal("05.0004 null A null", system.Queue("05.0004").View());
        Assert.Equal(2, system.Queue("05.0004").Version);
        Assert.Equal(1, system.Queue("03.0004").Version);
        Assert.Empty(system.Mdev(A).Shadow.Apqns);
        Assert.False(system.UnregisterDriver("vfio_ap"));
        Assert.Equal(2, system.Current.Version);

        system.RegisterDriver(WellKnownDrivers.VfioApDriver);

        s = system.Current;
        Assert.Equal(3, s.Version);
        Assert.True(s.VfioApBinds);
        Assert.Equal(10, s.Queues.Count(q => q.Driver == "vfio_ap"));
        Assert.Equal("05.0004 vfio_ap A guest-a", system.Queue("05.0004").View());
        Assert.Equal("06.0004 vfio_ap B null", system.Queue("06.0004").View());
        Assert.Equal([Q("05.0004"), Q("05.0047")], system.Mdev(A).Shadow.Apqns);
    }

    [Fact]
    public void UnregisteringCex4queueLeavesDefaultOwnedQueuesUnboundUntilItReturns()
    {
        var system = NewSystem();

        Assert.True(system.UnregisterDriver("cex4queue"));

        Assert.Equal(15, system.Current.Queues.Count(q => q.Driver is null));
        Assert.Equal("03.0004 null null null", system.Queue("03.0004").View());
        Assert.Equal("05.0004 vfio_ap A guest-a", system.Queue("05.0004").View());

        system.RegisterDriver(WellKnownDrivers.Cex4QueueDriver);

        Assert.Equal(3, system.Current.Version);
        Assert.Equal("03.0004 cex4queue null null", system.Queue("03.0004").View());
        Assert.Equal(0, system.Current.Queues.Count(q => q.Driver is null));
    }

    [Fact]
    public void WhileVfioApIsUnregisteredNobodyObjectsToTakingItsQueues()
    {
        var system = NewSystem();
        system.UnregisterDriver("vfio_ap");

        var change = system.Apmask("+5").Ok();

        Assert.Equal(
            ["05.0004 null->cex4queue", "05.0005 null->cex4queue", "05.0006 null->cex4queue", "05.0047 null->cex4queue", "05.0048 null->cex4queue"],
            Describe(change.Rebound));
    }

    [Fact]
    public async Task UnregisteringADriverWhoseCallbackIsOnTheCurrentStackFailsFastEvenFromANestedQuery()
    {
        var registry = new DriverRegistry();
        Exception? caught = null;
        var nested = 0;
        registry.Register(new DriverDefinition("outer", false, (s, q) =>
            Interlocked.Exchange(ref nested, 1) == 0 ? registry.Query(s, q).Offenders : []));
        var innerCalls = 0;
        registry.Register(new DriverDefinition("inner", false, (_, _) =>
        {
            if (Interlocked.Increment(ref innerCalls) > 1)
            {
                return [];   // the top-level query reaches us again once "outer" has returned
            }
            try
            {
                registry.Unregister("outer");   // "outer" is running further down this very stack
            }
            catch (Exception ex)
            {
                caught = ex;
            }
            return [];
        }));
        var answer = await Threads.Run(() => registry.Query(Snapshot, Adapter5)).WaitAsync(Patience);

        Assert.False(answer.Failed);
        Assert.IsType<InvalidOperationException>(caught);
        Assert.True(registry.IsRegistered("outer"));
    }

    [Fact]
    public async Task ADriverRegisteredWhileAChangeIsBeingJudgedIsAskedBeforeTheChangeCommits()
    {
        var system = NewSystem();
        system.Apmask("-8").Ok();
        var registered = 0;
        // "first" answers nothing, but the first time it is asked it registers "late" from another
        // thread: after the change was judged without "late", before it commits.
        system.RegisterDriver(new DriverDefinition("first", false, (_, _) =>
        {
            if (Interlocked.Exchange(ref registered, 1) == 0)
            {
                Assert.True(Task.Run(() => system.RegisterDriver(new DriverDefinition("late", false, (_, _) => [new Offender(Q("08.0004"), "late", null, null)]))).Wait(Patience));
            }
            return [];
        }));

        var outcome = await Threads.Run(() => system.Apmask("+8")).WaitAsync(Patience);

        var refusal = outcome.Refused<QueuesInUse>();
        Assert.Equal("late", Assert.Single(refusal.Offenders).Driver);
        Assert.False(system.Current.Bus.Apmask.Contains(8));
    }
}
