using System.Collections.Immutable;
using System.Text;
using ApManager.Core;
using ApManager.Core.Host;
using ApManager.Core.Host.Simulated;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.FakeSysfs;

/// <summary>Which kernel the fake plays.</summary>
public sealed record FakeKernelOptions
{
    /// <summary>6.12 has <c>ap_config</c> and vfio_ap's <c>features</c>; 6.1 has neither (only <c>matrix</c> and <c>control_domains</c>).</summary>
    public bool ApConfig { get; init; } = true;

    /// <summary>Whether the machine offers SCLP AP reconfiguration (an LPAR does; a guest gets EOPNOTSUPP from <c>config</c>).</summary>
    public bool CanReconfigure { get; init; } = true;

    /// <summary>The mdev type's <c>available_instances</c> at start (65536 on a real kernel).</summary>
    public int MaxDevices { get; init; } = SimulatedHost.DefaultMaxDevices;
}

/// <summary>
/// The kernel behind the fake sysfs: the simulated kernel's state rendered as the files of
/// <c>/sys</c> in the exact formats of Linux 6.12 (SPEC §11.2, the fact sheet in README), and every
/// <c>write(2)</c> parsed as the kernel's store functions parse it, then applied with the
/// simulated kernel's rules; the errno comes back to the writer. The tests also drive it the way
/// the rest of a host would: libvirt starting a guest (a status XML appears), a hardware event
/// (a card check-stops), request counters moving. Thread-safe: FUSE serves from several threads.
/// </summary>
public sealed class FakeKernel : IFuseFileSystem
{
    private readonly Lock _gate = new();
    private readonly FakeKernelOptions _options;
    private readonly List<FakeWrite> _writes = [];
    private readonly Dictionary<int, long> _cardCounters = [];
    private readonly Dictionary<Apqn, long> _queueCounters = [];
    private readonly List<(string Suffix, Errno Errno)> _faults = [];
    private HostState _state;
    private SysfsTree? _tree;
    private long _scans;

    public FakeKernel(HostTopology topology, InitialState initial, FakeKernelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(initial);
        _options = options ?? new FakeKernelOptions();
        var booted = SimulatedKernel.Boot(topology, initial, _options.MaxDevices);
        _state = _options.ApConfig ? booted : WithFeatures(booted, []);
    }

    /// <summary>Where libvirt keeps running domains' status XML; set by the mounted host (<c>&lt;root&gt;/run/libvirt/qemu</c>).</summary>
    public string? LibvirtRunDirectory { get; set; }

    public FakeKernelOptions Options => _options;

    /// <summary>The kernel's state now.</summary>
    public HostState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Every write(2) the kernel received, in order: the attribute, the bytes and the errno it answered.</summary>
    public IReadOnlyList<FakeWrite> Writes
    {
        get
        {
            lock (_gate)
            {
                return [.. _writes];
            }
        }
    }

    public void ClearWrites()
    {
        lock (_gate)
        {
            _writes.Clear();
        }
    }

    /// <summary>Applies a change with the kernel's rules, as if it came from outside ApManager (root's echo, libvirt, modprobe).</summary>
    public Errno Apply(HostWrite write)
    {
        lock (_gate)
        {
            var result = SimulatedKernel.Apply(_state, write);
            if (result.Accepted)
            {
                SetState(result.State);
            }
            return result.Errno;
        }
    }

    /// <summary>libvirt starts <paramref name="guest"/> with the matrix device: the queues go in use and its status XML appears.</summary>
    public Errno StartGuest(string guest, MdevId device)
    {
        var errno = Apply(new SetGuest(device, guest));
        if (errno == Errno.None && LibvirtRunDirectory is { } dir)
        {
            File.WriteAllText(Path.Combine(dir, guest + ".xml"), LibvirtStatus(guest, device));
        }
        return errno;
    }

    /// <summary>libvirt stops the guest of <paramref name="device"/>: its status XML goes away.</summary>
    public Errno StopGuest(MdevId device)
    {
        var guest = State.Device(device)?.Guest;
        var errno = Apply(new SetGuest(device, null));
        if (errno == Errno.None && guest is not null && LibvirtRunDirectory is { } dir)
        {
            File.Delete(Path.Combine(dir, guest + ".xml"));
        }
        return errno;
    }

    /// <summary>A machine check: the card (and its queues) check-stop, or recover.</summary>
    public void SetCheckstop(int adapter, bool checkstopped)
    {
        lock (_gate)
        {
            if (_state.Card(adapter) is null)
            {
                throw new ArgumentException($"No card {adapter:x2}.", nameof(adapter));
            }
            SetState(Rebuild(_state,
                c => c.Id == adapter ? c with { Checkstopped = checkstopped, Online = !checkstopped && c.Configured } : c,
                q => q.Apqn.Adapter == adapter ? q with { Checkstopped = checkstopped, Online = !checkstopped } : q));
        }
    }

    /// <summary>Requests run on a queue: its counter and its card's move (state does not).</summary>
    public void CountRequests(Apqn apqn, long requests)
    {
        lock (_gate)
        {
            _queueCounters[apqn] = _queueCounters.GetValueOrDefault(apqn) + requests;
            _cardCounters[apqn.Adapter] = _cardCounters.GetValueOrDefault(apqn.Adapter) + requests;
            _tree = null;
        }
    }

    public FuseNode? Stat(string path) => Tree().Stat(path);

    public IReadOnlyList<string> List(string path) => Tree().List(path);

    public byte[] Read(string path) => Tree().Read(path);

    public string ReadLink(string path) => Tree().ReadLink(path);

    public int Write(string path, ReadOnlySpan<byte> data)
    {
        // kernfs hands a store at most one page, NUL-terminated.
        var bytes = data.Length > 4096 ? data[..4096].ToArray() : data.ToArray();
        lock (_gate)
        {
            var fault = _faults.FindIndex(f => path.EndsWith(f.Suffix, StringComparison.Ordinal));
            int errno;
            if (fault >= 0)
            {
                errno = (int)_faults[fault].Errno;
                _faults.RemoveAt(fault);
            }
            else
            {
                errno = Tree().Write(path, bytes);
            }
            _writes.Add(new FakeWrite(path, Encoding.ASCII.GetString(bytes), (Errno)errno));
            return errno;
        }
    }

    /// <summary>
    /// The next write to a path ending in <paramref name="pathSuffix"/> is refused with
    /// <paramref name="errno"/> and changes nothing: a kernel that knows a rule the model does not,
    /// or a host that changed between ApManager's read and its write.
    /// </summary>
    public void FailNextWrite(string pathSuffix, Errno errno)
    {
        lock (_gate)
        {
            _faults.Add((pathSuffix, errno));
        }
    }

    /// <summary>The whole tree as regular files under <paramref name="directory"/> (golden trees, hosts without FUSE).</summary>
    public void Dump(string directory) => Tree().Dump(directory);

    private SysfsTree Tree()
    {
        lock (_gate)
        {
            return _tree ??= new SysfsTree(_state, _options, this);
        }
    }

    private void SetState(HostState next)
    {
        // The simulated kernel is 6.12; a 6.1 vfio_ap advertises no features at all.
        _state = _options.ApConfig || next.VfioFeatures.IsEmpty ? next : WithFeatures(next, []);
        _tree = null;
    }

    internal long CardCounter(int adapter) => _cardCounters.GetValueOrDefault(adapter);

    internal long? QueueCounter(QueueInfo queue) =>
        queue.Driver == "cex4queue" ? _queueCounters.GetValueOrDefault(queue.Apqn) : null;

    internal long Scans => _scans;

    /// <summary>One store function: the write's bytes to an errno (0 on success), the state changed under the gate.</summary>
    internal int Store(HostWrite write)
    {
        var result = SimulatedKernel.Apply(_state, write);
        if (result.Accepted)
        {
            SetState(result.State);
        }
        return (int)result.Errno;
    }

    internal int ResetCounters(int adapter, Apqn? apqn)
    {
        if (apqn is { } q)
        {
            _queueCounters.Remove(q);
        }
        else
        {
            _cardCounters.Remove(adapter);
            foreach (var key in _queueCounters.Keys.Where(k => k.Adapter == adapter).ToList())
            {
                _queueCounters.Remove(key);
            }
        }
        _tree = null;
        return 0;
    }

    internal int Rescan()
    {
        _scans++;
        _tree = null;
        return 0;
    }

    private static HostState WithFeatures(HostState s, ImmutableArray<string> features) => Rebuild(s, c => c, q => q, features);

    /// <summary>The same state with cards and queues changed as the kernel would not (hardware events).</summary>
    private static HostState Rebuild(HostState s, Func<CardInfo, CardInfo> card, Func<QueueInfo, QueueInfo> queue, ImmutableArray<string>? features = null)
    {
        var cards = new CardInfo?[256];
        var rows = new QueueInfo?[]?[256];
        foreach (var c in s.Cards)
        {
            cards[c.Id] = card(c);
        }
        foreach (var q in s.Queues)
        {
            (rows[q.Apqn.Adapter] ??= new QueueInfo?[256])[q.Apqn.Domain] = queue(q);
        }
        return new HostState(s.Topology, s.Apmask, s.Aqmask, s.Drivers, cards, rows, s.Devices, s.MaxDevices,
            vfioApInUse: s.VfioApInUse, vfioFeatures: features ?? s.VfioFeatures);
    }

    /// <summary>A running domain's status file as libvirt writes it: domstatus around the live domain with the vfio-ap hostdev.</summary>
    public static string LibvirtStatus(string guest, MdevId device) => $"""
        <domstatus state='running' reason='booted' pid='4242'>
          <monitor path='/var/lib/libvirt/qemu/domain-1-{guest}/monitor.sock' type='unix'/>
          <domain type='kvm' id='1'>
            <name>{guest}</name>
            <uuid>{Guid.NewGuid()}</uuid>
            <memory unit='KiB'>2097152</memory>
            <os>
              <type arch='s390x' machine='s390-ccw-virtio-rhel9.4.0'>hvm</type>
            </os>
            <devices>
              <emulator>/usr/libexec/qemu-kvm</emulator>
              <hostdev mode='subsystem' type='mdev' managed='no' model='vfio-ap'>
                <source>
                  <address uuid='{device}'/>
                </source>
                <alias name='hostdev0'/>
              </hostdev>
            </devices>
          </domain>
        </domstatus>
        """;
}

/// <summary>One write(2) the fake kernel received.</summary>
public sealed record FakeWrite(string Path, string Data, Errno Errno);
