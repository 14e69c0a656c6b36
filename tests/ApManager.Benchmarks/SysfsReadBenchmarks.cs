using ApManager.Core.Host;
using ApManager.Core.Host.Sysfs;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;
using ApManager.FakeSysfs;
using BenchmarkDotNet.Attributes;

namespace ApManager.Benchmarks;

/// <summary>
/// Issue 13: the sysfs backend on a 16-adapter x 85-domain host (a z16 LPAR) served by the FUSE
/// fake. Targets: an unchanged poll ≤ 5 ms with no allocation that grows, a full re-read ≤ 50 ms,
/// an accepted mask change end to end (lock, re-read, judge, write, re-read, commit) ≤ 20 ms.
/// Needs root and <c>/dev/fuse</c>.
/// </summary>
[MemoryDiagnoser]
public class SysfsReadBenchmarks
{
    /// <summary>An adapter the host keeps whose 85 queues no device holds: released and reclaimed.</summary>
    private const int FreeAdapter = 3;

    private FakeHost _fake = null!;
    private SysfsHost _host = null!;
    private SysfsHost _plain = null!;
    private string _plainRoot = null!;
    private ApSystem _system = null!;
    private MaskInput _release;
    private MaskInput _reclaim;

    /// <summary>Ids 0..63 x 0..84; adapters 0..11 CEX8C and 12..15 CEX8P, every domain usable and controllable.</summary>
    public static HostTopology Lpar { get; } = new(
        63,
        84,
        [.. Enumerable.Range(0, 16).Select(i => new AdapterSpec(i, new CardType(8, i < 12 ? CardMode.Cca : CardMode.Ep11)))],
        ApMask.Range(0, 84),
        ApMask.Range(0, 84));

    /// <summary>
    /// The host keeps adapters 0..7 on every domain; 8..15 belong to vfio_ap, split over four
    /// devices of two adapters x 20 domains each, two of them with a running guest.
    /// </summary>
    public static InitialState LparState { get; } = new(
        ApMask.All.Except(ApMask.Range(8, 15)),
        ApMask.All,
        [.. Enumerable.Range(0, 4).Select(i => new DeviceSeed(
            BenchmarkStates.DeviceId(i),
            $"vm-{i}",
            new Assignment(ApMask.Of(8 + (2 * i), 9 + (2 * i)), ApMask.Range(20 * i, (20 * i) + 19), ApMask.Range(20 * i, (20 * i) + 19)),
            i < 2 ? $"guest-{i}" : null))]);

    [GlobalSetup]
    public void Setup()
    {
        if (FakeHost.Unavailable is { } why)
        {
            throw new InvalidOperationException($"The sysfs benchmarks need a FUSE fake host: {why}");
        }
        _fake = FakeHost.Start(Lpar, LparState);
        _host = new SysfsHost(_fake.Root);
        _system = new ApSystem(_host, new InMemoryJournal(), null, null, ApSystem.DefaultMaxMdevs, TimeProvider.System);
        _plainRoot = DumpAsPlainFiles(_fake);
        _plain = new SysfsHost(_plainRoot);
        _release = MaskInput.FromString($"-{FreeAdapter}");
        _reclaim = MaskInput.FromString($"+{FreeAdapter}");

        var read = FullRead();
        var plain = FullReadPlainFiles();
        if (PollPlainFiles() is not null)
        {
            throw new InvalidOperationException("An unchanged plain-file host polled as changed.");
        }
        var version = _system.Current.Version;
        Poll();
        var rebound = AcceptedPair();
        Poll();
        if (_host.Unavailable is not null || read.Queues.Count() != 16 * 85 || read.Devices.Length != 4 ||
            read.Devices.Count(d => d.Guest is not null) != 2 || plain.Queues.Count() != 16 * 85 || plain.Devices.Length != 4 ||
            plain.Devices.Count(d => d.Guest is not null) != 2 || rebound != 85 || _system.Current.Version != version + 2)
        {
            throw new InvalidOperationException("Sysfs benchmark setup check failed.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _fake.Dispose();
        Directory.Delete(_plainRoot, recursive: true);
    }

    /// <summary>Every file of the AP picture read and parsed into a new <see cref="HostState"/>.</summary>
    [Benchmark]
    public HostState FullRead() => _host.Read();

    /// <summary>
    /// The same read of the same tree dumped as plain files and symlinks (no FUSE): the reader's own
    /// cost, syscalls and parsing, nearer what real sysfs (in-kernel, no daemon) costs than the fake.
    /// </summary>
    [Benchmark]
    public HostState FullReadPlainFiles() => _plain.Read();

    /// <summary>
    /// What the watcher does every <c>Host:PollSeconds</c> when nothing changed: the host's
    /// signature read and compared (no full read, no new version).
    /// </summary>
    [Benchmark]
    public long Poll()
    {
        _system.Refresh(full: false);
        return _system.Current.Version;
    }

    /// <summary>The same poll over the plain-file dump: the signature's own cost, nearer real sysfs.</summary>
    [Benchmark]
    public HostState? PollPlainFiles() => _plain.Poll();

    /// <summary><c>-3</c> then <c>+3</c> through the core in sysfs mode (85 queues rebind each way); reported per change.</summary>
    [Benchmark(OperationsPerInvoke = 2)]
    public int AcceptedMaskChange() => AcceptedPair();

    private static string DumpAsPlainFiles(FakeHost fake)
    {
        var root = Path.Combine(Path.GetTempPath(), "apmanager-plain-" + Guid.NewGuid().ToString("N")[..12]);
        fake.Kernel.Dump(Path.Combine(root, "sys"));
        var libvirt = Directory.CreateDirectory(Path.Combine(root, "run/libvirt/qemu")).FullName;
        foreach (var file in Directory.EnumerateFiles(fake.LibvirtRun))
        {
            File.Copy(file, Path.Combine(libvirt, Path.GetFileName(file)));
        }
        return root;
    }

    private int AcceptedPair()
    {
        var released = BenchmarkStates.Expect(_system.ChangeMasks(_release, null));
        BenchmarkStates.Expect(_system.ChangeMasks(_reclaim, null));
        return released.Rebound.Count;
    }
}
