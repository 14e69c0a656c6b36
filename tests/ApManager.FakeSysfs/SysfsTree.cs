using System.Globalization;
using System.Text;
using ApManager.Core;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.FakeSysfs;

/// <summary>
/// One state of the fake kernel rendered as sysfs (paths relative to <c>/sys</c>): what each
/// attribute shows, in the kernel's format, and which store function a write reaches. Built
/// when the state changes, then read from many FUSE threads; stores run under the kernel's gate.
/// </summary>
internal sealed class SysfsTree
{
    private const int EACCES = 13;
    private const int EISDIR = 21;
    private const int ENOENT = 2;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly FakeKernel _kernel;

    public SysfsTree(HostState s, FakeKernelOptions options, FakeKernel kernel)
    {
        _kernel = kernel;
        Directory("/");
        Bus(s);
        Cards(s);
        if (s.HasDriver(Drivers.VfioAp))
        {
            Matrix(s, options);
        }
    }

    public FuseNode? Stat(string path) => _entries.TryGetValue(path, out var e) ? new FuseNode(e.Kind, e.Mode) : null;

    public IReadOnlyList<string> List(string path) =>
        _entries.TryGetValue(path, out var e) && e.Children is { } c ? c : throw new FileNotFoundException(path);

    public byte[] Read(string path) =>
        _entries.TryGetValue(path, out var e) && e.Kind == FuseNodeKind.File
            ? e.Show is { } show ? Encoding.ASCII.GetBytes(show()) : throw new UnauthorizedAccessException(path)
            : throw new FileNotFoundException(path);

    public string ReadLink(string path) =>
        _entries.TryGetValue(path, out var e) && e.Target is { } t ? t : throw new FileNotFoundException(path);

    public int Write(string path, byte[] data)
    {
        if (!_entries.TryGetValue(path, out var e))
        {
            return ENOENT;
        }
        if (e.Kind == FuseNodeKind.Directory)
        {
            return EISDIR;
        }
        // kernfs: a zero-length write never reaches the store.
        return e.Store is null ? EACCES : data.Length == 0 ? 0 : e.Store(data);
    }

    public void Dump(string directory)
    {
        foreach (var (path, e) in _entries.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var target = Path.Combine(directory, path.TrimStart('/'));
            switch (e.Kind)
            {
                case FuseNodeKind.Directory:
                    System.IO.Directory.CreateDirectory(target);
                    break;
                case FuseNodeKind.Symlink:
                    System.IO.File.CreateSymbolicLink(target, e.Target!);
                    break;
                default:
                    System.IO.File.WriteAllText(target, e.Show?.Invoke() ?? "");
                    break;
            }
        }
    }

    private static class Drivers
    {
        public const string Cex4Card = "cex4card";
        public const string Cex4Queue = "cex4queue";
        public const string VfioAp = "vfio_ap";
    }

    // ---- /sys/bus/ap ----

    private void Bus(HostState s)
    {
        var t = s.Topology;
        var configured = s.Queues.Count();
        var bound = s.Queues.Count(q => q.Driver is not null);
        File("/bus/ap/apmask", () => Mask(s.Apmask), data => _kernel.Store(new WriteMasks(data, null)));
        File("/bus/ap/aqmask", () => Mask(s.Aqmask), data => _kernel.Store(new WriteMasks(null, data)));
        File("/bus/ap/ap_max_adapter_id", () => $"{t.MaxAdapterId}\n");
        File("/bus/ap/ap_max_domain_id", () => $"{t.MaxDomainId}\n");
        File("/bus/ap/ap_adapter_mask", () => Mask(t.AdapterIds));
        File("/bus/ap/ap_usage_domain_mask", () => Mask(t.UsageDomains));
        File("/bus/ap/ap_control_domain_mask", () => Mask(t.ControlDomains));
        File("/bus/ap/ap_domain", () => $"{(t.UsageDomains.IsEmpty ? -1 : t.UsageDomains.First)}\n");
        File("/bus/ap/ap_interrupts", () => "1\n");
        File("/bus/ap/config_time", () => "30\n");
        File("/bus/ap/poll_thread", () => "0\n");
        File("/bus/ap/poll_timeout", () => "250000\n");
        File("/bus/ap/scans", () => $"{_kernel.Scans + 1}\n", _ => _kernel.Rescan());
        File("/bus/ap/bindings", () => bound == configured ? $"{bound}/{configured} (complete)\n" : $"{bound}/{configured}\n");
        if (_kernel.Options.ApConfig)
        {
            File("/bus/ap/features", () => "APSC APXA QACT RC8A APSB\n");
        }
        Directory("/bus/ap/drivers");
        Directory("/bus/ap/devices");
        if (s.HasDriver(Drivers.Cex4Queue))
        {
            Directory("/bus/ap/drivers/" + Drivers.Cex4Card);
        }
        foreach (var driver in s.Drivers)
        {
            Directory("/bus/ap/drivers/" + driver);
        }
    }

    // ---- /sys/devices/ap/cardXX[/XX.YYYY] ----

    private void Cards(HostState s)
    {
        Directory("/devices/ap");
        foreach (var card in s.Cards)
        {
            var dir = $"/devices/ap/card{card.Id:x2}";
            var hw = card.Hardware;
            var zcrypt = s.HasDriver(Drivers.Cex4Queue);
            Link($"/bus/ap/devices/card{card.Id:x2}", $"../../../devices/ap/card{card.Id:x2}");
            File(dir + "/hwtype", () => $"{hw.HwType}\n");
            File(dir + "/raw_hwtype", () => $"{hw.RawHwType}\n");
            File(dir + "/depth", () => $"{hw.Depth}\n");
            File(dir + "/ap_functions", () => $"0x{hw.Functions:X8}\n");
            File(dir + "/request_count", () => $"{_kernel.CardCounter(card.Id)}\n", _ => _kernel.ResetCounters(card.Id, null));
            File(dir + "/requestq_count", () => "0\n");
            File(dir + "/pendingq_count", () => "0\n");
            File(dir + "/modalias", () => $"ap:t{hw.HwType:X2}\n");
            File(dir + "/config", () => card.Configured ? "1\n" : "0\n", data => Configure(card.Id, data));
            File(dir + "/chkstop", () => card.Checkstopped ? "1\n" : "0\n");
            File(dir + "/max_msg_size", () => "12288\n");
            if (zcrypt)
            {
                Link(dir + "/driver", "../../../bus/ap/drivers/" + Drivers.Cex4Card);
                File(dir + "/type", () => $"{card.Type}\n");
                File(dir + "/online", () => card.Online && card.Configured && !card.Checkstopped ? "1\n" : "0\n",
                    data => Switch(data, on => _kernel.Store(new SetCardOnline(card.Id, on))));
                File(dir + "/load", () => "0\n");
                if (hw.Serial is { } serial)
                {
                    File(dir + "/serialnr", () => (card.Type.Mode == CardMode.Ep11 ? serial.PadRight(16)[..16] : serial) + "\n");
                }
            }
            // A deconfigured card keeps its queue devices, with config 0, until they go (ApManager skips them).
            var domains = card.Configured ? s.Queues.Where(q => q.Apqn.Adapter == card.Id).Select(q => (int)q.Apqn.Domain) : s.Topology.UsageDomains.ToArray();
            foreach (var d in domains)
            {
                var apqn = new Apqn((byte)card.Id, (byte)d);
                Queue(dir, apqn, s.Queue(apqn), card);
            }
        }
    }

    private void Queue(string cardDir, Apqn apqn, QueueInfo? q, CardInfo card)
    {
        var dir = $"{cardDir}/{apqn}";
        Link($"/bus/ap/devices/{apqn}", $"../../../devices/ap/card{apqn.Adapter:x2}/{apqn}");
        File(dir + "/config", () => q is null ? "0\n" : "1\n");
        File(dir + "/chkstop", () => q is { Checkstopped: true } ? "1\n" : "0\n");
        File(dir + "/request_count", () => q is not null && _kernel.QueueCounter(q) is { } n ? $"{n}\n" : "-\n", _ => _kernel.ResetCounters(card.Id, apqn));
        File(dir + "/requestq_count", () => "0\n");
        File(dir + "/pendingq_count", () => "0\n");
        File(dir + "/reset", () => "No Reset Timer set.\n", _ => 0);
        File(dir + "/interrupt", () => "Interrupts enabled.\n");
        if (q?.Driver is not { } driver)
        {
            return;
        }
        Link(dir + "/driver", "../../../../bus/ap/drivers/" + driver);
        if (driver == Drivers.Cex4Queue)
        {
            File(dir + "/online", () => q.Online && !q.Checkstopped && card.Online ? "1\n" : "0\n",
                data => Switch(data, on => _kernel.Store(new SetQueueOnline(apqn, on))));
            File(dir + "/load", () => "0\n");
        }
        else if (driver == Drivers.VfioAp)
        {
            File(dir + "/status", () => q.Status + "\n");
        }
    }

    /// <summary>ap_card.c <c>config_store</c>: <c>sscanf("%d\n")</c>, 0 or 1; SCLP may not offer reconfiguration.</summary>
    private int Configure(int adapter, byte[] data) => Switch(data, on =>
        _kernel.Options.CanReconfigure ? _kernel.Store(new ConfigureCard(adapter, on)) : (int)Errno.EOPNOTSUPP);

    /// <summary>zcrypt's and ap_card's 0/1 stores: <c>sscanf(buf, "%d\n")</c> must give 0 or 1, else EINVAL.</summary>
    private static int Switch(byte[] data, Func<bool, int> store) =>
        ScanInt(data) is { } v and (0 or 1) ? store(v == 1) : (int)Errno.EINVAL;

    /// <summary><c>sscanf("%d")</c>: leading white space, a sign, at least one digit; what follows is ignored.</summary>
    private static long? ScanInt(byte[] data)
    {
        var i = 0;
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\t' or (byte)'\n')
        {
            i++;
        }
        var negative = i < data.Length && data[i] == '-';
        if (i < data.Length && data[i] is (byte)'-' or (byte)'+')
        {
            i++;
        }
        var start = i;
        long value = 0;
        while (i < data.Length && char.IsAsciiDigit((char)data[i]) && value < int.MaxValue)
        {
            value = value * 10 + (data[i] - '0');
            i++;
        }
        return i == start ? null : negative ? -value : value;
    }

    // ---- /sys/devices/vfio_ap/matrix ----

    private void Matrix(HostState s, FakeKernelOptions options)
    {
        const string matrix = "/devices/vfio_ap/matrix";
        const string type = matrix + "/mdev_supported_types/vfio_ap-passthrough";
        if (options.ApConfig)
        {
            File(matrix + "/features", () => string.Join(' ', s.VfioFeatures) + "\n");
        }
        File(type + "/create", null, Create);
        File(type + "/available_instances", () => $"{s.AvailableInstances}\n");
        File(type + "/name", () => "VFIO AP Passthrough Device\n");
        File(type + "/device_api", () => "vfio-ap\n");
        Directory(type + "/devices");
        foreach (var device in s.Devices)
        {
            var id = device.Id;
            var dir = $"{matrix}/{id}";
            Link($"{type}/devices/{id}", $"../../../{id}");
            Link(dir + "/mdev_type", "../mdev_supported_types/vfio_ap-passthrough");
            foreach (var target in new[] { AssignTarget.Adapter, AssignTarget.Domain, AssignTarget.ControlDomain })
            {
                File($"{dir}/assign_{target.AttributeName()}", null, data => Assign(id, target, true, data));
                File($"{dir}/unassign_{target.AttributeName()}", null, data => Assign(id, target, false, data));
            }
            File(dir + "/matrix", () => Lines(device.Assignment.Adapters, device.Assignment.Domains));
            File(dir + "/guest_matrix", () => Lines(device.GuestMatrix.Adapters, device.GuestMatrix.Domains));
            File(dir + "/control_domains", () => string.Concat(device.Assignment.ControlDomains.ToArray().Select(d => $"{d:x4}\n")));
            if (options.ApConfig)
            {
                var a = device.Assignment;
                File(dir + "/ap_config", () => $"{a.Adapters},{a.Domains},{a.ControlDomains}\n", data => ApConfig(id, data));
            }
            File(dir + "/remove", null, data => Remove(id, data));
        }
    }

    /// <summary>mdev <c>create_store</c>: 36 or 37 bytes, a UUID in either case.</summary>
    private int Create(byte[] data)
    {
        if (data.Length is < 36 or > 37 || !MdevId.TryParse(Encoding.ASCII.GetString(data, 0, 36), out var id))
        {
            return (int)Errno.EINVAL;
        }
        return _kernel.Store(new CreateDevice(id));
    }

    /// <summary>mdev <c>remove_store</c>: <c>kstrtoul(base 0)</c>; 0 does nothing.</summary>
    private int Remove(MdevId id, byte[] data) => IdText.TryParse(Encoding.ASCII.GetString(data), out var value) switch
    {
        IdText.Error.None => value == 0 ? 0 : _kernel.Store(new RemoveDevice(id)),
        IdText.Error.ERANGE => (int)Errno.ERANGE,
        _ => (int)Errno.EINVAL,
    };

    /// <summary>vfio_ap's six assign stores: <c>kstrtoul(buf, 0)</c>, then the range and ownership checks.</summary>
    private int Assign(MdevId id, AssignTarget target, bool assign, byte[] data) => IdText.TryParse(Encoding.ASCII.GetString(data), out var value) switch
    {
        IdText.Error.None => _kernel.Store(new AssignId(id, target, value > long.MaxValue ? long.MaxValue : (long)value, assign)),
        IdText.Error.ERANGE => (int)Errno.ERANGE,
        _ => (int)Errno.EINVAL,
    };

    /// <summary>
    /// vfio_ap <c>ap_config_store</c>: at most 201 bytes, three fields split off with
    /// <c>strsep(",\n")</c>, each an absolute hex mask (<c>ap_hex2bitmap</c>); fewer fields is EINVAL.
    /// </summary>
    private int ApConfig(MdevId id, byte[] data)
    {
        var rest = Encoding.ASCII.GetString(data, 0, Math.Min(data.Length, 201));
        var masks = new ApMask[3];
        for (var i = 0; i < 3; i++)
        {
            if (rest is null)
            {
                return (int)Errno.EINVAL;
            }
            var cut = rest.IndexOfAny([',', '\n']);
            var field = cut < 0 ? rest : rest[..cut];
            rest = cut < 0 ? null : rest[(cut + 1)..];
            if (field.Length == 0)
            {
                masks[i] = ApMask.Empty;
                continue;
            }
            if (field[0] is '+' or '-')
            {
                return (int)Errno.EINVAL;
            }
            var parsed = MaskParser.Parse(field, ApMask.Empty);
            if (!parsed.Success)
            {
                return (int)Errno.EINVAL;
            }
            masks[i] = parsed.Mask;
        }
        return _kernel.Store(new WriteDeviceConfig(id, new Assignment(masks[0], masks[1], masks[2])));
    }

    // ---- formats ----

    private static string Mask(ApMask mask) => mask + "\n";

    /// <summary><c>vfio_ap_mdev_matrix_show</c>: <c>AA.DDDD</c> lines, <c>AA.</c> or <c>.DDDD</c> when one side is empty.</summary>
    private static string Lines(ApMask adapters, ApMask domains)
    {
        var text = new StringBuilder();
        if (adapters.IsEmpty)
        {
            foreach (var d in domains)
            {
                text.Append(CultureInfo.InvariantCulture, $".{d:x4}\n");
            }
            return text.ToString();
        }
        foreach (var a in adapters)
        {
            if (domains.IsEmpty)
            {
                text.Append(CultureInfo.InvariantCulture, $"{a:x2}.\n");
                continue;
            }
            foreach (var d in domains)
            {
                text.Append(CultureInfo.InvariantCulture, $"{a:x2}.{d:x4}\n");
            }
        }
        return text.ToString();
    }

    // ---- tree building ----

    private sealed record Entry(FuseNodeKind Kind, int Mode, Func<string>? Show = null, Func<byte[], int>? Store = null, string? Target = null)
    {
        public List<string>? Children { get; } = Kind == FuseNodeKind.Directory ? [] : null;
    }

    private void Directory(string path)
    {
        if (_entries.ContainsKey(path))
        {
            return;
        }
        _entries[path] = new Entry(FuseNodeKind.Directory, 0x1ED);
        AddToParent(path);
    }

    private void File(string path, Func<string>? show, Func<byte[], int>? store = null)
    {
        var mode = (show is null ? 0 : 0x124) | (store is null ? 0 : 0x80);
        _entries[path] = new Entry(FuseNodeKind.File, mode, show, store);
        AddToParent(path);
    }

    private void Link(string path, string target)
    {
        _entries[path] = new Entry(FuseNodeKind.Symlink, 0x1FF, Target: target);
        AddToParent(path);
    }

    private void AddToParent(string path)
    {
        if (path == "/")
        {
            return;
        }
        var slash = path.LastIndexOf('/');
        var parent = slash == 0 ? "/" : path[..slash];
        Directory(parent);
        _entries[parent].Children!.Add(path[(slash + 1)..]);
    }
}
