using ApManager.Core;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using ApManager.Core.Tests.Support;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.State;

/// <summary>SPEC §4 and §7: which mask writes ask whom about what, and what a refusal leaves behind.</summary>
public class InUseProtocolTests
{
    private static readonly string DemoApmask = "0xf9" + new string('f', 62);
    private static readonly string ApmaskWithout7 = "0xf8" + new string('f', 62);
    private static readonly int[] AllIds = [.. Enumerable.Range(0, 256)];

    [Fact]
    public void SettingApmaskBit5IsRefusedListingBothQueuesOfDeviceAWithItsGuest()
    {
        var system = NewSystem();
        var before = system.Current;

        var refusal = system.Apmask("+5").Refused<QueuesInUse>();

        Assert.Equal("apmask", refusal.Attribute);
        Assert.Equal(new Dictionary<string, string> { ["apmask"] = "+5" }, refusal.Inputs);
        Assert.Equal([$"05.0004 vfio_ap {A} guest-a", $"05.0047 vfio_ap {A} guest-a"], Describe(refusal.Offenders));
        Assert.Same(before, system.Current);
        Assert.Equal(DemoApmask, system.Current.Bus.Apmask.ToString());
        Assert.Equal("vfio_ap", system.Queue("05.0005").Driver);
    }

    [Fact]
    public void SettingApmaskBits5And6ListsOffendersOfEveryDeviceSorted()
    {
        var system = NewSystem();
        var before = system.Current;

        var refusal = system.Apmask("+5,+6").Refused<QueuesInUse>();

        Assert.Equal(
            [$"05.0004 vfio_ap {A} guest-a", $"05.0047 vfio_ap {A} guest-a", $"06.0004 vfio_ap {B} -"],
            Describe(refusal.Offenders));
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void ClearingApmaskBit7RebindsItsFiveQueuesFromCex4queueToVfioAp()
    {
        var system = NewSystem();

        var change = system.Apmask("-7").Ok();

        Assert.Equal(ApmaskWithout7, change.Bus.Apmask.ToString());
        Assert.Equal(MaskText.F, change.Bus.Aqmask.ToString());
        Assert.Equal(2, change.Bus.Version);
        Assert.False(change.DryRun);
        Assert.Equal(
            ["07.0004 cex4queue->vfio_ap", "07.0005 cex4queue->vfio_ap", "07.0006 cex4queue->vfio_ap", "07.0047 cex4queue->vfio_ap", "07.0048 cex4queue->vfio_ap"],
            Describe(change.Rebound));
        Assert.Equal(2, system.Current.Version);
        Assert.Equal("07.0047 vfio_ap null null", system.Queue("07.0047").View());
        Assert.Equal(2, system.Queue("07.0047").Version);
        Assert.Equal(1, system.Queue("03.0004").Version);
    }

    [Fact]
    public void AnApmaskWriteAsksEveryDriverAboutNewAdaptersTimesTheCurrentAqmaskOnTheBaseSnapshot()
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);
        var before = system.Current;

        system.Apmask("+5").Refused<QueuesInUse>();

        var (snapshot, query) = Assert.Single(probe.Calls);
        Assert.Same(before, snapshot);
        Assert.Equal(Rectangle([5], AllIds), Covered(query));
    }

    [Fact]
    public void OnlyNewlyHostOwnedApqnsAreAskedAbout()
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);
        system.Apmask("-8,-9").Ok();

        var change = system.Apmask("+8-9,-3").Ok();

        var (_, query) = Assert.Single(probe.Calls);
        Assert.Equal(Rectangle([8, 9], AllIds), Covered(query));
        Assert.Equal(
            ["03.0004 cex4queue->vfio_ap", "03.0005 cex4queue->vfio_ap", "03.0006 cex4queue->vfio_ap", "03.0047 cex4queue->vfio_ap", "03.0048 cex4queue->vfio_ap"],
            Describe(change.Rebound));
    }

    [Theory]
    [InlineData("apmask", "-7")]
    [InlineData("apmask", "-0-255")]
    [InlineData("apmask", "0x")]
    [InlineData("aqmask", "-4")]
    [InlineData("aqmask", "\n")]
    public void ClearingBitsNeverQueriesAnyDriver(string attribute, string input)
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);

        var change = attribute == "apmask" ? system.Apmask(input).Ok() : system.Aqmask(input).Ok();

        Assert.Empty(probe.Calls);
        Assert.Equal(2, change.Bus.Version);
    }

    [Theory]
    [InlineData("+4", null)]
    [InlineData("", null)]
    [InlineData("-5", null)]
    [InlineData("+5,-5", null)]
    [InlineData("0xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\n", null)]
    [InlineData(null, "+0-255")]
    [InlineData(null, "")]
    [InlineData("xf9ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "-300-200,+0")]
    public void NoOpWritesNeverQueryAndChangeNothing(string? apmask, string? aqmask)
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);
        var before = system.Current;

        var outcome = system.ChangeMasks(apmask is null ? null : In(apmask), aqmask is null ? null : In(aqmask));

        if (aqmask == "-300-200,+0")
        {
            // a parse error, not a no-op: still no query
            Assert.Equal(new InvalidMask("aqmask", aqmask, Errno.EINVAL, 1), outcome.Refusal);
        }
        else
        {
            var change = outcome.Ok();
            Assert.Empty(change.Rebound);
            Assert.Same(before.Bus, change.Bus);
        }
        Assert.Empty(probe.Calls);
        Assert.Same(before, system.Current);
        Assert.Equal(1, system.Current.Version);
    }

    [Fact]
    public void ParseErrorsComeBeforeTheQueryAndBeforeIfMatch()
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);
        var before = system.Current;

        var apRefusal = system.Apmask("+5;+6", new WriteOptions(IfMatch: 99)).Refused<InvalidMask>();
        var aqRefusal = system.Aqmask("0x8\n\n", new WriteOptions(IfMatch: 99)).Refused<InvalidMask>();
        var bothBad = system.ChangeMasks(In("+1-"), In("zz"), new WriteOptions(IfMatch: 99)).Refused<InvalidMask>();
        var aqBad = system.ChangeMasks(In("+5"), In("+256"), new WriteOptions(IfMatch: 99)).Refused<InvalidMask>();
        var tooBig = system.Apmask(new string('+', 4097), new WriteOptions(IfMatch: 99)).Refused<InvalidMask>();

        Assert.Equal(new InvalidMask("apmask", "+5;+6", Errno.EINVAL, 2), apRefusal);
        Assert.Equal(new InvalidMask("aqmask", "0x8\n\n", Errno.EINVAL, 4), aqRefusal);
        Assert.Equal(new InvalidMask("apmask", "+1-", Errno.EINVAL, 3), bothBad);
        Assert.Equal(new InvalidMask("aqmask", "+256", Errno.EINVAL, 1), aqBad);
        Assert.Equal((Errno.E2BIG, 4096), (tooBig.Errno, tooBig.Position));
        Assert.Empty(probe.Calls);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void IfMatchIsComparedWithTheBusVersionBeforeTheQueryEvenForANoOp()
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);
        system.CreateMdev(C, "other").Ok();
        var before = system.Current;
        Assert.Equal((2L, 1L), (before.Version, before.Bus.Version));

        var noOp = system.Apmask("+4", new WriteOptions(IfMatch: 2)).Refused<VersionMismatch>();
        var wouldAsk = system.Apmask("+5", new WriteOptions(IfMatch: 2)).Refused<VersionMismatch>();

        Assert.Equal(new VersionMismatch("bus", 2, 1), noOp);
        Assert.Equal(new VersionMismatch("bus", 2, 1), wouldAsk);
        Assert.Empty(probe.Calls);
        Assert.Same(before, system.Current);

        var change = system.Apmask("-7", new WriteOptions(IfMatch: 1)).Ok();
        Assert.Equal(3, change.Bus.Version);
    }

    [Fact]
    public void AnAqmaskWriteAsksAboutTheCurrentApmaskTimesTheNewlySetDomains()
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);

        var cleared = system.Aqmask("-4,-71").Ok();
        Assert.Equal(
            ["03.0004 cex4queue->vfio_ap", "03.0047 cex4queue->vfio_ap", "04.0004 cex4queue->vfio_ap", "04.0047 cex4queue->vfio_ap", "07.0004 cex4queue->vfio_ap", "07.0047 cex4queue->vfio_ap"],
            Describe(cleared.Rebound));
        Assert.Empty(probe.Calls);

        // Adapter 5 may join the host for every domain but A's 4 and 71.
        var joined = system.Apmask("+5").Ok();
        Assert.Equal(Rectangle([5], AllIds.Except([4, 71])), Covered(probe.Calls[^1].Query));
        Assert.Equal(["05.0005 vfio_ap->cex4queue", "05.0006 vfio_ap->cex4queue", "05.0048 vfio_ap->cex4queue"], Describe(joined.Rebound));
        Assert.Equal([Q("05.0004"), Q("05.0047")], system.Mdev(A).Shadow.Apqns);
        var before = system.Current;

        var refusal = system.Aqmask("+4").Refused<QueuesInUse>();

        Assert.Equal(Rectangle(AllIds.Except([6]), [4]), Covered(probe.Calls[^1].Query));
        Assert.Equal("aqmask", refusal.Attribute);
        Assert.Equal(new Dictionary<string, string> { ["aqmask"] = "+4" }, refusal.Inputs);
        Assert.Equal([$"05.0004 vfio_ap {A} guest-a"], Describe(refusal.Offenders));
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void APatchOfBothMasksIsCheckedOverTheCombinedDifferenceInOneStep()
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);

        // Alone, +5 is refused; with 4 and 71 leaving the aqmask in the same step, no queue of A becomes host-owned.
        system.Apmask("+5").Refused<QueuesInUse>();
        var change = system.ChangeMasks(In("+5"), In("-4,-71")).Ok();

        Assert.Equal(Rectangle([5], AllIds.Except([4, 71])), Covered(probe.Calls[^1].Query));
        Assert.Equal("0xfd" + new string('f', 62), change.Bus.Apmask.ToString());
        Assert.Equal("0xf7" + new string('f', 15) + "e" + new string('f', 46), change.Bus.Aqmask.ToString());
        Assert.Equal(2, change.Bus.Version);
        Assert.Equal(2, system.Current.Version);
        Assert.Equal(
            [
                "03.0004 cex4queue->vfio_ap", "03.0047 cex4queue->vfio_ap", "04.0004 cex4queue->vfio_ap", "04.0047 cex4queue->vfio_ap",
                "05.0005 vfio_ap->cex4queue", "05.0006 vfio_ap->cex4queue", "05.0048 vfio_ap->cex4queue",
                "07.0004 cex4queue->vfio_ap", "07.0047 cex4queue->vfio_ap",
            ],
            Describe(change.Rebound));
    }

    [Fact]
    public void APatchAsksAboutTheNewApmaskTimesNewlySetDomains()
    {
        var system = NewSystem();
        system.Aqmask("-4").Ok();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);

        var change = system.ChangeMasks(In("-3"), In("+4")).Ok();

        Assert.Equal(Rectangle(AllIds.Except([3, 5, 6]), [4]), Covered(Assert.Single(probe.Calls).Query));
        Assert.Equal(
            [
                "03.0005 cex4queue->vfio_ap", "03.0006 cex4queue->vfio_ap", "03.0047 cex4queue->vfio_ap", "03.0048 cex4queue->vfio_ap",
                "04.0004 vfio_ap->cex4queue", "07.0004 vfio_ap->cex4queue",
            ],
            Describe(change.Rebound));
        Assert.Equal(3, system.Current.Version);
    }

    [Fact]
    public void ARefusedPatchNamesBothAttributesAndInputsAndChangesNeitherMask()
    {
        var system = NewSystem();
        var before = system.Current;

        var refusal = system.ChangeMasks(In("+5,+6"), In("-72")).Refused<QueuesInUse>();

        Assert.Equal("apmask,aqmask", refusal.Attribute);
        Assert.Equal(new Dictionary<string, string> { ["apmask"] = "+5,+6", ["aqmask"] = "-72" }, refusal.Inputs);
        Assert.Equal(
            [$"05.0004 vfio_ap {A} guest-a", $"05.0047 vfio_ap {A} guest-a", $"06.0004 vfio_ap {B} -"],
            Describe(refusal.Offenders));
        Assert.Same(before, system.Current);
        Assert.Equal(MaskText.F, system.Current.Bus.Aqmask.ToString());
    }

    [Fact]
    public void EveryRegisteredDriverWithACallbackIsAskedAndAllObjectionsAreMergedSorted()
    {
        var system = NewSystem();
        var probe = new Probe("probe", false, "05.0004", "05.0006", "07.0004");
        var zdef = new Probe("zdef", true, "05.0048");
        system.RegisterDriver(probe.Definition);
        system.RegisterDriver(zdef.Definition);
        system.RegisterDriver(new DriverDefinition("quiet", false));
        var before = system.Current;

        var refusal = system.Apmask("+5").Refused<QueuesInUse>();

        Assert.Equal(
            [
                "05.0004 probe - -", $"05.0004 vfio_ap {A} guest-a", "05.0006 probe - -",
                $"05.0047 vfio_ap {A} guest-a", "05.0048 zdef - -",
            ],
            Describe(refusal.Offenders));
        Assert.Single(probe.Calls);
        Assert.Single(zdef.Calls);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void AnObjectionFromAnyDriverAloneRefusesTheWrite()
    {
        var system = NewSystem();
        system.Apmask("-8").Ok();
        system.RegisterDriver(new Probe("probe", false, "08.0001").Definition);
        var before = system.Current;

        var refusal = system.Apmask("+8").Refused<QueuesInUse>();

        Assert.Equal(["08.0001 probe - -"], Describe(refusal.Offenders));
        Assert.Same(before, system.Current);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AThrowingCallbackFailsTheChangeClosedAndChangesNothing(bool dryRun)
    {
        var system = NewSystem();
        system.Apmask("-8").Ok();
        var failure = new InvalidOperationException("kaput");
        system.RegisterDriver(new DriverDefinition("boom", false, (_, _) => throw failure));
        var before = system.Current;

        var refusal = system.Apmask("+8", new WriteOptions(DryRun: dryRun)).Refused<InUseCheckFailed>();

        Assert.Equal(new InUseCheckFailed("apmask", "boom", failure), refusal);
        Assert.Same(before, system.Current);
        Assert.Equal(2, system.Current.Version);
    }

    [Fact]
    public void ADryRunOfARefusedWriteGivesTheSameRefusalAndAsksTheDrivers()
    {
        var system = NewSystem();
        var probe = new Probe();
        system.RegisterDriver(probe.Definition);
        var before = system.Current;

        var dry = system.Apmask("+5,+6", new WriteOptions(DryRun: true)).Refused<QueuesInUse>();
        Assert.Single(probe.Calls);
        var real = system.Apmask("+5,+6").Refused<QueuesInUse>();

        Assert.Equal(Describe(real.Offenders), Describe(dry.Offenders));
        Assert.Equal(real.Attribute, dry.Attribute);
        Assert.Same(before, system.Current);
    }

    [Fact]
    public void ADryRunOfAnAcceptedWriteShowsTheRealResultAndChangesNothing()
    {
        var system = NewSystem();
        var before = system.Current;

        var dry = system.ChangeMasks(In("-7"), In("-72"), new WriteOptions(DryRun: true)).Ok();

        Assert.True(dry.DryRun);
        Assert.Same(before, system.Current);
        Assert.Equal(1, system.Current.Version);
        Assert.Equal("07.0004 cex4queue null null", system.Queue("07.0004").View());

        var real = system.ChangeMasks(In("-7"), In("-72")).Ok();

        Assert.False(real.DryRun);
        Assert.Equal(real.Bus, dry.Bus);
        Assert.Equal(2, dry.Bus.Version);
        Assert.Equal(Describe(real.Rebound), Describe(dry.Rebound));
        Assert.Equal(7, real.Rebound.Count);
        Assert.Equal("07.0004 vfio_ap null null", system.Queue("07.0004").View());
    }

    [Fact]
    public void VersionsGrowByExactlyOnePerCommittedStepAndNotOtherwise()
    {
        var system = NewSystem();
        var versions = new List<(long Global, long Bus)>();
        void Record() => versions.Add((system.Current.Version, system.Current.Bus.Version));

        Record();
        system.Apmask("-7").Ok(); Record();                                  // step
        system.Apmask("+7").Ok(); Record();                                  // step (asks, nobody objects)
        system.Apmask("+7").Ok(); Record();                                  // no-op
        system.Apmask("+5").Refused<QueuesInUse>(); Record();                // refusal
        system.Apmask("+5 ").Refused<InvalidMask>(); Record();               // parse error
        system.Apmask("-7", new WriteOptions(IfMatch: 1)).Refused<VersionMismatch>(); Record(); // precondition
        system.Apmask("-7", new WriteOptions(DryRun: true)).Ok(); Record();                    // dry run
        system.ChangeMasks(In("-3"), In("-4")).Ok(); Record();               // one step for both masks
        system.CreateMdev(C, null).Ok(); Record();                           // a device step: bus version stays

        Assert.Equal([(1L, 1L), (2, 2), (3, 3), (3, 3), (3, 3), (3, 3), (3, 3), (3, 3), (4, 4), (5, 4)], versions);
    }

    [Fact]
    public void TheInUseQueryCoversOnlyTheNewlyOwnedRectangles()
    {
        var query = InUseQuery.NewlyOwned(ApMask.Of(1, 2), ApMask.Of(10), ApMask.Of(2, 3), ApMask.Of(10, 11));

        Assert.Equal([Q("02.000b"), Q("03.000a"), Q("03.000b")], Covered(query));
        Assert.True(InUseQuery.NewlyOwned(ApMask.Of(1), ApMask.Of(1), ApMask.Of(1), ApMask.Empty).IsEmpty);
        Assert.False(query.IsEmpty);
    }
}
