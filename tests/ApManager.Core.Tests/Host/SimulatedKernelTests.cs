using System.Text;
using ApManager.Core.Host;
using ApManager.Core.Host.Simulated;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;
using FsCheck;
using FsCheck.Xunit;
using static ApManager.Core.Tests.Support.Demo;

namespace ApManager.Core.Tests.Host;

/// <summary>
/// The simulated kernel answers each write as the kernel would (SPEC §2–6, §11.3): the errno of
/// the first rule that fails, the state unchanged when refused; and it agrees with the manager's
/// judge, so the simulator never refuses what the model accepted.
/// </summary>
public class SimulatedKernelTests
{
    private static HostState DemoState() => SimulatedKernel.Boot(HostTopology.Demo, Seeds.Demo, 65536);

    private static WriteMasks Apmask(string text) => new(Encoding.UTF8.GetBytes(text), null);

    public static TheoryData<string, HostWrite, Errno> Refusals() => new()
    {
        { "mask grammar", Apmask("+5;+6"), Errno.EINVAL },
        { "mask over a page", Apmask(new string('f', 4097)), Errno.E2BIG },
        { "in_use objects", Apmask("+5"), Errno.EBUSY },
        { "PATCH in_use over the combined difference", new WriteMasks(Encoding.UTF8.GetBytes("+6"), Encoding.UTF8.GetBytes("+4")), Errno.EBUSY },
        { "create an existing UUID", new CreateDevice(A), Errno.EEXIST },
        { "remove an unknown device", new RemoveDevice(C), Errno.ENOENT },
        { "remove a device a guest uses", new RemoveDevice(A), Errno.EBUSY },
        { "assign to an unknown device", new AssignId(C, AssignTarget.Adapter, 7, true), Errno.ENOENT },
        { "adapter above the maximum", new AssignId(B, AssignTarget.Adapter, 64, true), Errno.ENODEV },
        { "domain above the maximum", new AssignId(B, AssignTarget.Domain, 85, true), Errno.ENODEV },
        { "unassign above the maximum", new AssignId(B, AssignTarget.ControlDomain, 300, false), Errno.ENODEV },
        { "APQNs owned by the host", new AssignId(B, AssignTarget.Adapter, 3, true), Errno.EADDRNOTAVAIL },
        { "APQNs another device holds", new AssignId(B, AssignTarget.Adapter, 5, true), Errno.EADDRINUSE },
        { "ap_config with an id out of range", new WriteDeviceConfig(B, new Assignment(ApMask.Of(6), ApMask.Of(4, 99), default)), Errno.ENODEV },
        { "ap_config sharing with another device", new WriteDeviceConfig(B, new Assignment(ApMask.Of(5, 6), ApMask.Of(4), default)), Errno.EADDRINUSE },
        { "configure an adapter the host lacks", new ConfigureCard(9, true), Errno.ENOENT },
        { "a second guest for a device", new SetGuest(A, "other"), Errno.EBUSY },
        { "a second device for a guest", new SetGuest(B, "guest-a"), Errno.EPERM },
        { "a guest name libvirt refuses", new SetGuest(B, "bad name"), Errno.EINVAL },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public void EachRefusedWriteAnswersTheKernelsErrnoAndLeavesTheStateAsItWas(string what, HostWrite write, Errno errno)
    {
        var state = DemoState();

        var result = SimulatedKernel.Apply(state, write);

        Assert.True(result.Errno == errno, $"{what}: {result.Errno}");
        Assert.Same(state, result.State);
    }

    public static TheoryData<string, HostWrite> NoOps() => new()
    {
        { "an empty mask write", Apmask(string.Empty) },
        { "a mask write that changes nothing", Apmask("-5") },
        { "assigning an assigned adapter", new AssignId(A, AssignTarget.Adapter, 5, true) },
        { "unassigning what is not assigned", new AssignId(A, AssignTarget.Domain, 6, false) },
        { "configuring a configured adapter", new ConfigureCard(3, true) },
        { "the same guest again", new SetGuest(A, "guest-a") },
        { "the same ap_config", new WriteDeviceConfig(B, new Assignment(ApMask.Of(6), ApMask.Of(4), ApMask.Of(4))) },
    };

    [Theory]
    [MemberData(nameof(NoOps))]
    public void AWriteThatChangesNothingIsAcceptedAndKeepsTheSameState(string what, HostWrite write)
    {
        var state = DemoState();

        var result = SimulatedKernel.Apply(state, write);

        Assert.True(result.Accepted, what);
        Assert.Same(state, result.State);
    }

    [Fact]
    public void AnAcceptedWriteSharesEverythingItDidNotTouch()
    {
        var state = DemoState();

        var next = SimulatedKernel.Apply(state, new AssignId(B, AssignTarget.ControlDomain, 5, true)).State;

        Assert.NotSame(state, next);
        Assert.Same(state.Device(A), next.Device(A));
        Assert.Same(state.Rows[3], next.Rows[3]);
        Assert.Equal(ApMask.Of(4, 5), next.Device(B)!.Assignment.ControlDomains);
    }

    [Fact]
    public void TheDemoBootsAsSpecSevenDescribesIt()
    {
        var state = DemoState();

        Assert.Equal(25, state.Queues.Count());
        Assert.Equal(10, state.Queues.Count(q => q.Driver == "vfio_ap"));
        Assert.Equal(["cex4queue", "vfio_ap"], state.Drivers.ToArray());
        Assert.Equal(A, state.Guests["guest-a"]);
        Assert.Equal(["05.0004", "05.0047"], state.Device(A)!.GuestMatrix.Apqns.Select(q => q.ToString()));
        Assert.Equal(65534, state.AvailableInstances);
    }

    [Fact]
    public void TheLastInstanceIsTakenThenCreateIsRefusedWithEusers()
    {
        var state = SimulatedKernel.Boot(HostTopology.Demo, Seeds.Demo, 3);

        var third = SimulatedKernel.Apply(state, new CreateDevice(C));
        var fourth = SimulatedKernel.Apply(third.State, new CreateDevice(MdevId.Parse("c0ffee00-0000-4000-8000-000000000002")));

        Assert.True(third.Accepted);
        Assert.Equal(0, third.State.AvailableInstances);
        Assert.Equal(Errno.EUSERS, fourth.Errno);
    }

    /// <summary>
    /// For random operations the judge and the kernel agree (the host never refuses what the
    /// model accepted), and a dry run answers exactly what the real call then answers.
    /// </summary>
    [Property(MaxTest = 200, EndSize = 60)]
    public void TheJudgeAndTheKernelAgreeAndADryRunPredictsTheRealCall(DoNotSize<uint>[] picks)
    {
        var system = NewSystem();
        foreach (var pick in picks)
        {
            var preview = Run(system, pick.Item, WriteOptions.Preview);
            var before = system.Current;
            var real = Run(system, pick.Item, default);

            Assert.False(real.Refusal is HostRefused, $"the kernel refused what the model accepted: {real.Refusal}");
            Assert.Equal(Describe(preview.Refusal), Describe(real.Refusal));
            Assert.Equal(preview.Version, real.Version);
            Assert.Equal(preview.Answer, real.Answer);
            Assert.True(real.Refusal is not null || real.Version is null || system.Current.Version == before.Version + 1 || system.Current == before);
            AssertIndexed(system.Current.Host);
        }
    }

    /// <summary>The devices-by-adapter index the kernel keeps step by step is the one built from scratch.</summary>
    private static void AssertIndexed(HostState state)
    {
        for (var a = 0; a < 256; a++)
        {
            var indexed = new HashSet<object>(ReferenceEqualityComparer.Instance);
            foreach (var d in state.ByAdapter.On(ApMask.Of(a)))
            {
                Assert.True(indexed.Add(d), $"adapter {a}: {d.Id} listed twice");
            }
            var expected = state.Devices.Where(d => d.Adapters.Contains(a)).ToHashSet<object>(ReferenceEqualityComparer.Instance);
            Assert.True(expected.SetEquals(indexed), $"adapter {a}: index {indexed.Count}, devices {expected.Count}");
        }
    }

    private static string? Describe(Refusal? refusal) => refusal is null ? null : ApManager.Core.Audit.AuditJson.Refusal(refusal);

    private static readonly int[] Ids = [3, 4, 5, 6, 7, 9, 71, 72, 90];
    private static readonly MdevId[] Devices = [A, B, C];

    /// <summary>One operation chosen by <paramref name="pick"/>: its refusal, the version it reports and what it answers (without the dry-run flag).</summary>
    private static (Refusal? Refusal, long? Version, string? Answer) Run(ApSystem system, uint pick, WriteOptions options)
    {
        var id = Ids[(pick / 8) % (uint)Ids.Length];
        var device = Devices[(pick / 80) % 3];
        var set = (pick / 240) % 2 == 0;
        static (Refusal?, long?, string?) Of<T>(Outcome<T> o, Func<T, (long, string)> answer) where T : class =>
            o.IsOk ? (null, answer(o.Value).Item1, answer(o.Value).Item2) : (o.Refusal, null, null);
        static string Device(MatrixDevice? m) => m is null ? "deleted" : $"{m.Id} {m.Assignment} {m.Guest} {m.Shadow}";
        return (pick % 8) switch
        {
            0 => Of(system.ChangeMasks(MaskInput.FromString($"{(set ? '+' : '-')}{id}"), null, options), c => (c.Bus.Version, $"{c.Bus} {string.Join(',', c.Rebound)}")),
            1 => Of(system.ChangeMasks(null, MaskInput.FromString($"{(set ? '+' : '-')}{id}"), options), c => (c.Bus.Version, $"{c.Bus} {string.Join(',', c.Rebound)}")),
            2 => Of(system.Assign(device, AssignTarget.Adapter, id, set, options), c => (c.Device!.Version, Device(c.Device))),
            3 => Of(system.Assign(device, AssignTarget.Domain, id, set, options), c => (c.Device!.Version, Device(c.Device))),
            4 => Of(system.CreateMdev(device, "d", options), c => (c.Device!.Version, Device(c.Device))),
            5 => Of(system.DeleteMdev(device, options), _ => (0, "deleted")),
            6 => Of(set ? system.AttachGuest(device, $"g{id}", options) : system.DetachGuest(device, options), c => (c.Device!.Version, Device(c.Device))),
            _ => Of(system.SetAdapterConfigured(id, set, options), c => (c.Adapter.Version, $"{c.Adapter.Configured} {string.Join(',', c.Rebound)}")),
        };
    }
}
