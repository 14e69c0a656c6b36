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
    private readonly byte[] _buffer = new byte[64 * 1024];
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
        var statuses = new Dictionary<Apqn, string>();
        foreach (var cardDir in Entries(layout.Devices, IsCardName))
        {
            var id = Convert.ToInt32(cardDir[^2..], 16);
            if (ReadCard(id) is not { } card || card.Id > maxAdapter)
            {
                continue;
            }
            cards[id] = card;
            if (card.Configured)
            {
                rows[id] = ReadQueues(card, statuses);
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

    private CardInfo? ReadCard(int id)
    {
        var dir = layout.Card(id);
        var hwtype = Int(dir + "hwtype");
        var functions = Hex(dir + "ap_functions") ?? 0;
        if (Type(dir, hwtype, functions) is not { } type)
        {
            // Neither zcrypt's type nor a mode bit: not a card ApManager can describe.
            return null;
        }
        var configured = Int(dir + "config") != 0;
        var checkstopped = Int(dir + "chkstop") == 1;
        // zcrypt's online folds config and chkstop in; without cex4card there is no switch.
        var online = Int(dir + "online") is { } o ? o == 1 : configured && !checkstopped;
        var hardware = new CardHardware(hwtype ?? 0, Int(dir + "raw_hwtype") ?? hwtype ?? 0, functions, Int(dir + "depth") ?? 0, Text(dir + "serialnr") is { Length: > 0 } serial ? serial : null);
        return new CardInfo(id, type, configured, online, checkstopped, hardware, Long(dir + "request_count"));
    }

    /// <summary>zcrypt's <c>type</c> (e.g. CEX8C), or the same derived from <c>hwtype</c> and the mode bits when zcrypt is not bound.</summary>
    private CardType? Type(string dir, int? hwtype, uint functions)
    {
        if (Text(dir + "type") is { } text && CardType.TryParse(text, out var type))
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

    private QueueInfo?[]? ReadQueues(CardInfo card, Dictionary<Apqn, string> statuses)
    {
        QueueInfo?[]? row = null;
        foreach (var queueDir in Entries(layout.Card(card.Id), IsQueueName))
        {
            if (!Apqn.TryParse(Path.GetFileName(queueDir), out var apqn) || apqn.Adapter != card.Id)
            {
                continue;
            }
            var dir = queueDir + "/";
            if (Int(dir + "config") == 0)
            {
                continue;
            }
            var checkstopped = Int(dir + "chkstop") == 1;
            var driver = Native.LinkName(dir + "driver", _buffer);
            // online is zcrypt's attribute, status vfio_ap's: asking an unbound queue for either only costs a failed lookup.
            var vfio = driver == WellKnownDrivers.VfioAp;
            var online = !vfio && driver is not null && Int(dir + "online") is { } o ? o == 1 : !checkstopped;
            if (vfio && Text(dir + "status") is { } status)
            {
                statuses[apqn] = status;
            }
            row ??= new QueueInfo?[256];
            row[apqn.Domain] = new QueueInfo(apqn, driver, null, null, online, checkstopped, Long(dir + "request_count"));
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
        var n = Native.ReadAll(path, _buffer);
        if (n <= 0)
        {
            return null;
        }
        var parts = Encoding.ASCII.GetString(_buffer, 0, n).TrimEnd('\n').Split(',');
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

    /// <summary>The file's text without its trailing newline, or null when it cannot be read.</summary>
    private string? Text(string path)
    {
        var n = Native.ReadAll(path, _buffer);
        return n < 0 ? null : Encoding.UTF8.GetString(_buffer, 0, n).TrimEnd('\n');
    }

    private ReadOnlySpan<byte> Bytes(string path)
    {
        var n = Native.ReadAll(path, _buffer);
        if (n < 0)
        {
            return default;
        }
        var span = _buffer.AsSpan(0, n);
        return span.Length > 0 && span[^1] == (byte)'\n' ? span[..^1] : span;
    }

    private int? Int(string path) => Utf8Parser.TryParse(Bytes(path), out int value, out var used) && used > 0 ? value : null;

    /// <summary>A counter; sysfs shows <c>-</c> while the queue is not initialised.</summary>
    private long? Long(string path) => Utf8Parser.TryParse(Bytes(path), out long value, out var used) && used > 0 ? value : null;

    /// <summary><c>0x%08X</c>.</summary>
    private uint? Hex(string path)
    {
        var bytes = Bytes(path);
        if (bytes.Length > 2 && bytes[0] == '0' && (bytes[1] | 0x20) == 'x')
        {
            bytes = bytes[2..];
        }
        return Utf8Parser.TryParse(bytes, out uint value, out var used, 'X') && used == bytes.Length && used > 0 ? value : null;
    }

    /// <summary>A sysfs mask (<c>0x</c> + 64 hex digits), or null when missing or <c>not supported</c>.</summary>
    private ApMask? Mask(string path)
    {
        var n = Native.ReadAll(path, _buffer);
        if (n < 3 || _buffer[0] != '0' || _buffer[1] != 'x')
        {
            return null;
        }
        var parsed = MaskParser.Parse(_buffer.AsSpan(0, n), ApMask.Empty);
        return parsed.Success ? parsed.Mask : null;
    }
}
