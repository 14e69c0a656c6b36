using System.Buffers.Text;
using System.Collections.Immutable;
using System.Text;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host.Sysfs;

/// <summary>The AP bus of the host cannot be read (no <c>sys/bus/ap</c> under the root, or it is unreadable).</summary>
public sealed class HostUnavailableException(string message) : Exception(message);

/// <summary>
/// Reads the whole AP picture of a host under a root (SPEC §11.2) into the same <see cref="HostState"/>
/// the simulated kernel produces: masks and QCI from <c>sys/bus/ap</c>, cards and queues (with
/// their <c>driver</c> links) from <c>sys/devices/ap</c>, matrix devices from vfio_ap's matrix
/// device, guests from libvirt. Attribute files are read as streams up to end of file (sysfs
/// reports 4096 bytes whatever they hold). Queues of deconfigured adapters are left out, as the
/// model has them. Not thread-safe: one reader per host, calls serialized by the host.
/// </summary>
internal sealed class SysfsReader(SysfsLayout layout)
{
    private readonly AttributeFiles _files = new();
    private readonly LibvirtDomains _libvirt = new(layout);

    public HostState Read()
    {
        if (!Directory.Exists(layout.Bus))
        {
            throw new HostUnavailableException($"{layout.Bus} does not exist: this is not an s390 host with the AP bus (or Host:Root is wrong).");
        }
        var apmask = Mask(layout.Bus + "apmask") ?? throw new HostUnavailableException($"{layout.Bus}apmask cannot be read.");
        var aqmask = Mask(layout.Bus + "aqmask") ?? throw new HostUnavailableException($"{layout.Bus}aqmask cannot be read.");
        var maxAdapter = Int(layout.Bus + "ap_max_adapter_id") ?? 63;
        var maxDomain = Int(layout.Bus + "ap_max_domain_id") ?? 15;
        var drivers = Directory.Exists(layout.Drivers)
            ? [.. Directory.EnumerateDirectories(layout.Drivers).Select(Path.GetFileName).OfType<string>().Where(IsQueueDriver).Order(StringComparer.Ordinal)]
            : ImmutableArray<string>.Empty;

        var cards = new CardInfo?[256];
        var rows = new QueueInfo?[]?[256];
        var cardStatuses = new List<(Apqn Apqn, string Status)>?[256];
        // Cards are independent: read them side by side (one buffer per worker). A real LPAR has
        // many cores and thousands of queue attributes; each costs a few syscalls, not CPU.
        Parallel.ForEach(Entries(layout.Devices, IsCardName), () => new AttributeFiles(), (cardDir, _, files) =>
        {
            var id = Convert.ToInt32(cardDir[^2..], 16);
            if (ReadCard(files, id) is { } card && card.Id <= maxAdapter)
            {
                cards[id] = card;
                if (card.Configured)
                {
                    var statuses = new List<(Apqn, string)>();
                    rows[id] = ReadQueues(files, card, statuses);
                    cardStatuses[id] = statuses;
                }
            }
            return files;
        }, _ => { });
        var statuses = new Dictionary<Apqn, string>();
        foreach (var list in cardStatuses)
        {
            foreach (var (apqn, status) in list ?? [])
            {
                statuses[apqn] = status;
            }
        }

        var usage = Mask(layout.Bus + "ap_usage_domain_mask") ?? UsedDomains(rows);
        var control = Mask(layout.Bus + "ap_control_domain_mask") ?? usage;
        var range = ApMask.Range(0, maxDomain);
        var topology = new HostTopology(maxAdapter, maxDomain,
            [.. cards.OfType<CardInfo>().Select(c => new AdapterSpec(c.Id, c.Type, c.Configured))],
            usage & range, control & range);

        var guests = _libvirt.Guests();
        var (devices, available, features) = ReadDevices(topology, guests, statuses);
        AttachOwners(rows, devices);
        return new HostState(topology, apmask, aqmask, drivers, cards, rows, devices, devices.Length + available,
            vfioApInUse: true, vfioFeatures: features);
    }

    /// <summary>
    /// A cheap signature of everything a change by others can touch without a full read noticing
    /// it only there: the bus masks and configuration, the registered drivers, each card's config,
    /// check-stop and online, the matrix devices with their assignments and guest matrices, and
    /// libvirt's domain files (name, size, time). About 5 files per card and device instead of 5
    /// per queue. Not covered: a single queue's own online switch and request counters (the
    /// kernel's uevents and the periodic full read find those).
    /// </summary>
    public ulong Signature()
    {
        var files = _files;
        var hash = AttributeFiles.Basis;
        foreach (var name in new[] { "apmask", "aqmask", "ap_adapter_mask", "ap_usage_domain_mask", "ap_control_domain_mask" })
        {
            hash = files.Fold(layout.Bus + name, hash);
        }
        hash = FoldListing(layout.Drivers, hash);
        foreach (var card in Directory.Exists(layout.Devices) ? Directory.EnumerateDirectories(layout.Devices) : [])
        {
            if (!IsCardName(Path.GetFileName(card)))
            {
                continue;
            }
            hash = AttributeFiles.Fold(hash, card);
            foreach (var name in new[] { "/config", "/chkstop", "/online" })
            {
                hash = files.Fold(card + name, hash);
            }
        }
        hash = files.Fold(layout.Matrix + "features", hash);
        var listing = layout.Types + "devices/";
        foreach (var entry in Directory.Exists(listing) ? Directory.EnumerateFileSystemEntries(listing) : [])
        {
            var dir = layout.Matrix + Path.GetFileName(entry) + "/";
            hash = AttributeFiles.Fold(hash, dir);
            foreach (var name in new[] { "ap_config", "matrix", "control_domains", "guest_matrix" })
            {
                hash = files.Fold(dir + name, hash);
            }
        }
        foreach (var dir in new[] { layout.LibvirtDefined, layout.LibvirtRunning })
        {
            foreach (var file in Directory.Exists(dir) ? new DirectoryInfo(dir).EnumerateFiles("*.xml") : [])
            {
                hash = AttributeFiles.Fold(AttributeFiles.Fold(AttributeFiles.Fold(hash, file.Name), (ulong)file.Length), (ulong)file.LastWriteTimeUtc.Ticks);
            }
        }
        return hash;
    }

    private static ulong FoldListing(string directory, ulong hash)
    {
        foreach (var entry in Directory.Exists(directory) ? Directory.EnumerateFileSystemEntries(directory) : [])
        {
            hash = AttributeFiles.Fold(hash, Path.GetFileName(entry.AsSpan()));
        }
        return hash;
    }

    /// <summary>
    /// The drivers that bind queues: every AP driver but zcrypt's card drivers (<c>cex4card</c>,
    /// 6.1's <c>cex2acard</c>, <c>cex2card</c>), which bind cards and have no part in ownership.
    /// </summary>
    private static bool IsQueueDriver(string name) =>
        !(name.StartsWith("cex", StringComparison.Ordinal) && name.EndsWith("card", StringComparison.Ordinal));

    private static bool IsCardName(string name) =>
        name.Length == 6 && name.StartsWith("card", StringComparison.Ordinal) && char.IsAsciiHexDigitLower(name[4]) && char.IsAsciiHexDigitLower(name[5]);

    private static bool IsQueueName(string name) =>
        name.Length == 7 && name[2] == '.' && name.Where((c, i) => i != 2).All(char.IsAsciiHexDigitLower);

    private static IEnumerable<string> Entries(string directory, Func<string, bool> accept) =>
        Directory.Exists(directory) ? Directory.EnumerateDirectories(directory).Where(d => accept(Path.GetFileName(d))) : [];

    private CardInfo? ReadCard(AttributeFiles files, int id)
    {
        var dir = layout.Card(id);
        var hwtype = files.Int(dir + "hwtype");
        var functions = files.Hex(dir + "ap_functions") ?? 0;
        if (Type(files, dir, hwtype, functions) is not { } type)
        {
            // Neither zcrypt's type nor a mode bit: not a card ApManager can describe.
            return null;
        }
        var configured = files.Int(dir + "config") != 0;
        var checkstopped = files.Int(dir + "chkstop") == 1;
        // zcrypt's online folds config and chkstop in; without cex4card there is no switch.
        var online = files.Int(dir + "online") is { } o ? o == 1 : configured && !checkstopped;
        var hardware = new CardHardware(hwtype ?? 0, files.Int(dir + "raw_hwtype") ?? hwtype ?? 0, functions, files.Int(dir + "depth") ?? 0, files.Text(dir + "serialnr") is { Length: > 0 } serial ? serial : null);
        return new CardInfo(id, type, configured, online, checkstopped, hardware, files.Long(dir + "request_count"));
    }

    /// <summary>zcrypt's <c>type</c> (e.g. CEX8C), or the same derived from <c>hwtype</c> and the mode bits when zcrypt is not bound.</summary>
    private static CardType? Type(AttributeFiles files, string dir, int? hwtype, uint functions)
    {
        if (files.Text(dir + "type") is { } text && CardType.TryParse(text, out var type))
        {
            return type;
        }
        CardMode? mode = (functions & CardHardware.Accelerator) != 0 ? CardMode.Accel
            : (functions & CardHardware.CcaCoprocessor) != 0 ? CardMode.Cca
            : (functions & CardHardware.Ep11Coprocessor) != 0 ? CardMode.Ep11
            : null;
        if (mode is null || hwtype is null)
        {
            return null;
        }
        // The kernel maps every newer type to a compatible one: 10..14 are CEX4..CEX8.
        return new CardType(Math.Clamp(hwtype.Value - 6, CardType.MinGeneration, CardType.MaxGeneration), mode.Value);
    }

    private QueueInfo?[]? ReadQueues(AttributeFiles files, CardInfo card, List<(Apqn, string)> statuses)
    {
        QueueInfo?[]? row = null;
        foreach (var queueDir in Entries(layout.Card(card.Id), IsQueueName))
        {
            if (!Apqn.TryParse(Path.GetFileName(queueDir), out var apqn) || apqn.Adapter != card.Id)
            {
                continue;
            }
            var dir = queueDir + "/";
            if (files.Int(dir + "config") == 0)
            {
                continue;
            }
            var checkstopped = files.Int(dir + "chkstop") == 1;
            var driver = files.LinkName(dir + "driver");
            // online is zcrypt's attribute, status vfio_ap's: asking an unbound queue for either only costs a failed lookup.
            var vfio = driver == WellKnownDrivers.VfioAp;
            var online = !vfio && driver is not null && files.Int(dir + "online") is { } o ? o == 1 : !checkstopped;
            if (vfio && files.Text(dir + "status") is { } status)
            {
                statuses.Add((apqn, status));
            }
            row ??= new QueueInfo?[256];
            row[apqn.Domain] = new QueueInfo(apqn, driver, null, null, online, checkstopped, files.Long(dir + "request_count"));
        }
        return row;
    }

    private static ApMask UsedDomains(QueueInfo?[]?[] rows)
    {
        var used = ApMask.Empty;
        foreach (var row in rows)
        {
            foreach (var q in row ?? [])
            {
                if (q is not null)
                {
                    used = used.With(q.Apqn.Domain);
                }
            }
        }
        return used;
    }

    private (ImmutableArray<HostDevice> Devices, int Available, ImmutableArray<string> Features) ReadDevices(
        HostTopology topology, IReadOnlyDictionary<MdevId, string> guests, Dictionary<Apqn, string> statuses)
    {
        if (!Directory.Exists(layout.Matrix))
        {
            return ([], 0, []);
        }
        var features = Text(layout.Matrix + "features") is { } f
            ? [.. f.Split(' ', StringSplitOptions.RemoveEmptyEntries)]
            : ImmutableArray<string>.Empty;
        var available = Int(layout.Types + "available_instances") ?? 0;
        var devices = new List<HostDevice>();
        var listing = layout.Types + "devices/";
        foreach (var entry in Directory.Exists(listing) ? Directory.EnumerateFileSystemEntries(listing) : [])
        {
            if (!MdevId.TryParse(Path.GetFileName(entry), out var id))
            {
                continue;
            }
            var dir = layout.Device(id);
            var assignment = ApConfig(dir + "ap_config") ?? FromMatrix(dir);
            var (shadowA, shadowD) = Lines(dir + "guest_matrix");
            var shadow = new GuestMatrix(shadowA, shadowD, assignment.ControlDomains & topology.ControlDomains);
            var guest = guests.TryGetValue(id, out var g) ? g
                : assignment.Matrix.Any(q => statuses.GetValueOrDefault(q) == "in use") ? "(unknown)"
                : null;
            devices.Add(new HostDevice(id, assignment, shadow, guest));
        }
        devices.Sort((x, y) => x.Id.CompareTo(y.Id));
        return ([.. devices], available, features);
    }

    /// <summary>A device's queue owner and guest, as the simulated kernel derives them.</summary>
    private static void AttachOwners(QueueInfo?[]?[] rows, ImmutableArray<HostDevice> devices)
    {
        foreach (var device in devices)
        {
            foreach (var a in device.Adapters)
            {
                if (rows[a] is not { } row)
                {
                    continue;
                }
                foreach (var d in device.Domains)
                {
                    if (row[d] is { } q)
                    {
                        var guest = device.Guest is not null && device.GuestMatrix.Contains(q.Apqn) ? device.Guest : null;
                        row[d] = q with { Mdev = device.Id, Guest = guest };
                    }
                }
            }
        }
    }

    /// <summary><c>ap_config</c>: three masks, adapters, domains, control domains, separated by commas.</summary>
    private Assignment? ApConfig(string path)
    {
        if (_files.Text(path) is not { Length: > 0 } text)
        {
            return null;
        }
        var parts = text.Split(',');
        if (parts.Length != 3)
        {
            return null;
        }
        var masks = parts.Select(p => MaskParser.Parse(p, ApMask.Empty)).ToArray();
        return masks.All(m => m.Success) ? new Assignment(masks[0].Mask, masks[1].Mask, masks[2].Mask) : null;
    }

    /// <summary>A kernel without <c>ap_config</c>: <c>matrix</c> lines and <c>control_domains</c>.</summary>
    private Assignment FromMatrix(string dir)
    {
        var (adapters, domains) = Lines(dir + "matrix");
        var control = ApMask.Empty;
        foreach (var line in Text(dir + "control_domains")?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [])
        {
            if (int.TryParse(line, System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var id) && id < 256)
            {
                control = control.With(id);
            }
        }
        return new Assignment(adapters, domains, control);
    }

    /// <summary><c>matrix</c>/<c>guest_matrix</c> lines: <c>AA.DDDD</c>, or <c>AA.</c> and <c>.DDDD</c> when one side is empty.</summary>
    private (ApMask Adapters, ApMask Domains) Lines(string path)
    {
        var adapters = ApMask.Empty;
        var domains = ApMask.Empty;
        foreach (var line in Text(path)?.Split('\n', StringSplitOptions.RemoveEmptyEntries) ?? [])
        {
            var dot = line.IndexOf('.');
            if (dot < 0)
            {
                continue;
            }
            if (dot > 0 && int.TryParse(line.AsSpan(0, dot), System.Globalization.NumberStyles.HexNumber, null, out var a) && a < 256)
            {
                adapters = adapters.With(a);
            }
            if (dot < line.Length - 1 && int.TryParse(line.AsSpan(dot + 1), System.Globalization.NumberStyles.HexNumber, null, out var d) && d < 256)
            {
                domains = domains.With(d);
            }
        }
        return (adapters, domains);
    }

    private string? Text(string path) => _files.Text(path);

    private int? Int(string path) => _files.Int(path);

    private ApMask? Mask(string path) => _files.Mask(path);
}
