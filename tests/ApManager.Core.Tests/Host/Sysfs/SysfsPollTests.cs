using ApManager.Core.Host;
using ApManager.Core.Host.Sysfs;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.FakeSysfs;

namespace ApManager.Core.Tests.Host.Sysfs;

/// <summary>
/// The poll reads a signature of a few files per card and device and the whole host only when it
/// moved: every change others make through the bus, cards, devices or libvirt is found by the next
/// poll; a single queue's online switch (not in the signature: the kernel's uevent reports it) by
/// the full read that follows <see cref="SysfsHost.FullReadInterval"/> at the latest.
/// </summary>
public sealed class SysfsPollTests : IDisposable
{
    private readonly FakeHost _fake = FakeHost.Demo();
    private readonly ManualTime _time = new();
    private readonly SysfsHost _host;

    public SysfsPollTests()
    {
        _host = new SysfsHost(_fake.Root, _time);
        _host.Read();
    }

    public void Dispose() => _fake.Dispose();

    [FuseFact]
    public void An_unchanged_host_polls_as_nothing_new()
    {
        Assert.Null(_host.Poll());
        Assert.Null(_host.Poll());
    }

    public static TheoryData<string> Changes() => ["apmask", "aqmask", "card offline", "card deconfigured", "checkstop", "device created", "domain assigned", "guest started", "guest file gone"];

    [FuseTheory]
    [MemberData(nameof(Changes))]
    public void A_change_by_others_is_read_at_the_next_poll(string change)
    {
        var device = Seeds.DemoDeviceB;
        switch (change)
        {
            case "apmask": Apply(new WriteMasks("-3"u8.ToArray(), null)); break;
            case "aqmask": Apply(new WriteMasks(null, "-72"u8.ToArray())); break;
            case "card offline": Apply(new SetCardOnline(7, false)); break;
            case "card deconfigured": Apply(new ConfigureCard(4, false)); break;
            case "checkstop": _fake.Kernel.SetCheckstop(3, true); break;
            case "device created": Apply(new CreateDevice(MdevId.Parse("11111111-2222-4333-8444-555555555555"))); break;
            case "domain assigned": Apply(new AssignId(device, AssignTarget.Domain, 5, true)); break;
            case "guest started": Assert.Equal(Errno.None, _fake.Kernel.StartGuest("guest-b", device)); break;
            case "guest file gone": File.Delete(Path.Combine(_fake.LibvirtRun, "guest-a.xml")); break;
            default: throw new ArgumentOutOfRangeException(nameof(change));
        }

        var read = _host.Poll();

        Assert.NotNull(read);
        if (change != "guest file gone")
        {
            HostAssert.Same(_fake.Kernel.State, read);
        }
        Assert.Null(_host.Poll());
    }

    [FuseFact]
    public void A_single_queues_online_switch_is_read_by_the_periodic_full_read()
    {
        Apply(new SetQueueOnline(Apqn.Parse("03.0005"), false));

        Assert.Null(_host.Poll());
        _time.Advance(SysfsHost.FullReadInterval);
        var read = _host.Poll();

        Assert.NotNull(read);
        Assert.False(read.Queue(Apqn.Parse("03.0005"))!.Online);
        HostAssert.Same(_fake.Kernel.State, read);
    }

    [FuseFact]
    public void A_full_read_always_reads_everything()
    {
        Apply(new SetQueueOnline(Apqn.Parse("03.0005"), false));

        Assert.False(_host.Read().Queue(Apqn.Parse("03.0005"))!.Online);
    }

    private void Apply(HostWrite write) => Assert.Equal(Errno.None, _fake.Kernel.Apply(write));

    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
