using ApManager.Core.Refusals;
using ApManager.Core.State;
using ApManager.Core.Tests.Masks;
using FsCheck.Xunit;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.State;

/// <summary>"A refused write never changes state", over random garbage aimed at the grammar.</summary>
public class RefusedWritePropertyTests
{
    [Property(MaxTest = 400)]
    public void ARefusedMaskWriteNeverChangesTheState(int[] apPicks, int[] aqPicks, byte target, bool dryRun)
    {
        var system = NewSystem();
        var before = system.Current;
        var ap = In(MaskPropertyTests.FromAlphabet(apPicks));
        var aq = In(MaskPropertyTests.FromAlphabet(aqPicks));

        var outcome = (target % 3) switch
        {
            0 => system.ChangeMasks(ap, null, new WriteOptions(DryRun: dryRun)),
            1 => system.ChangeMasks(null, aq, new WriteOptions(DryRun: dryRun)),
            _ => system.ChangeMasks(ap, aq, new WriteOptions(DryRun: dryRun)),
        };

        if (!outcome.IsOk || dryRun)
        {
            Assert.Same(before, system.Current);
            Assert.Equal(1, system.Current.Bus.Version);
        }
        else
        {
            var expected = outcome.Value.Bus.Apmask == before.Bus.Apmask && outcome.Value.Bus.Aqmask == before.Bus.Aqmask ? 1 : 2;
            Assert.Equal(expected, system.Current.Version);
        }
    }

    [Property(MaxTest = 200)]
    public void AWriteRefusedAsInUseNeverChangesTheState(byte extraAdapter, bool alsoSix, string? suffix)
    {
        // Every write that sets bit 5 (with A's domains in the aqmask) must be refused whole,
        // whatever else it would have changed.
        var system = NewSystem();
        var before = system.Current;
        var input = $"+{extraAdapter},+5" + (alsoSix ? ",+6" : "") + (suffix is ['+', >= '0' and <= '9', ..] ? "," + suffix : "");

        var outcome = system.Apmask(input);

        Assert.False(outcome.IsOk);
        Assert.IsAssignableFrom<Refusal>(outcome.Refusal);
        Assert.Same(before, system.Current);
    }
}
