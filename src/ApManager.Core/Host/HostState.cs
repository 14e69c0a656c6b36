using System.Collections.Immutable;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host;

/// <summary>
/// One crypto card as the AP bus shows it (<c>/sys/devices/ap/cardXX</c>): its type, whether it
/// is configured, online and check-stopped, what the hardware reports, and its request counter.
/// The counter is not state: equality ignores it, so a busy card does not change versions.
/// </summary>
public sealed record CardInfo(int Id, CardType Type, bool Configured, bool Online, bool Checkstopped, CardHardware Hardware, long? RequestCount = null)
{
    public bool Equals(CardInfo? other) =>
        other is not null && Id == other.Id && Type == other.Type && Configured == other.Configured && Online == other.Online &&
        Checkstopped == other.Checkstopped && Hardware == other.Hardware;

    public override int GetHashCode() => HashCode.Combine(Id, Type, Configured, Online, Checkstopped, Hardware);
}

/// <summary>
/// What a card's hardware reports (lszcrypt's HWTYPE, QDEPTH, FUNCTIONS): the compatibility and
/// raw hardware types, the AP facility bits (<c>ap_functions</c>), the queue depth and, for
/// coprocessors, the serial number.
/// </summary>
public sealed record CardHardware(int HwType, int RawHwType, uint Functions, int Depth, string? Serial)
{
    public const uint Accelerator = 0x08000000;
    public const uint CcaCoprocessor = 0x10000000;
    public const uint Ep11Coprocessor = 0x04000000;

    /// <summary>What a card of <paramref name="type"/> reports in the simulated host.</summary>
    public static CardHardware Simulated(CardType type, int id)
    {
        // S (APSC), N (APXA) and F bits on every card, plus the mode's own; C and M for accelerators.
        var functions = 0x80000000u | 0x02000000u | 0x00800000u | type.Mode switch
        {
            CardMode.Accel => Accelerator | 0x40000000u | 0x20000000u,
            CardMode.Cca => CcaCoprocessor,
            _ => Ep11Coprocessor,
        };
        var hwType = 10 + (type.Generation - CardType.MinGeneration);
        var serial = type.Mode switch
        {
            CardMode.Cca => $"93{id:D6}",
            CardMode.Ep11 => $"93000000{id:D8}",
            _ => null,
        };
        return new CardHardware(hwType, hwType, functions, 8, serial);
    }
}

/// <summary>
/// One AP queue (<c>cardXX/XX.YYYY</c>): the driver bound to it (null = unbound), the matrix
/// device whose adapters × domains contain it and the guest using it (vfio_ap status in use),
/// whether it is usable (for a queue of the host's zcrypt driver, its online switch), whether it
/// is check-stopped, and its request counter (not state: equality ignores it).
/// </summary>
public sealed record QueueInfo(Apqn Apqn, string? Driver, MdevId? Mdev, string? Guest, bool Online, bool Checkstopped = false, long? RequestCount = null)
{
    /// <summary>vfio_ap's <c>status</c> of a queue bound to it (<c>unassigned</c>, <c>assigned</c>, <c>in use</c>); null otherwise.</summary>
    public string? Status => Driver == Drivers.WellKnownDrivers.VfioAp ? Guest is not null ? "in use" : Mdev is not null ? "assigned" : "unassigned" : null;

    public bool Equals(QueueInfo? other) =>
        other is not null && Apqn == other.Apqn && Driver == other.Driver && Mdev == other.Mdev && Guest == other.Guest &&
        Online == other.Online && Checkstopped == other.Checkstopped;

    public override int GetHashCode() => HashCode.Combine(Apqn, Driver, Mdev, Guest, Online, Checkstopped);
}

/// <summary>
/// The whole AP picture of a host, as the kernel shows it: both masks, the configuration (QCI:
/// id maxima, adapters and domains), cards, queues with their bound driver, matrix devices with
/// their matrices and guest matrices, the guests using them and the registered drivers.
/// Immutable; the simulated kernel shares unchanged parts between states, so comparing two
/// states of one lineage is mostly comparing references.
/// </summary>
public sealed class HostState
{
    public HostState(
        HostTopology topology,
        ApMask apmask,
        ApMask aqmask,
        ImmutableArray<string> drivers,
        CardInfo?[] cards,
        QueueInfo?[]?[] rows,
        ImmutableArray<HostDevice> devices,
        int maxDevices,
        ImmutableDictionary<string, MdevId>? guests = null,
        bool vfioApInUse = true,
        DevicesByAdapter? byAdapter = null,
        ImmutableArray<string> vfioFeatures = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        ArgumentNullException.ThrowIfNull(cards);
        ArgumentNullException.ThrowIfNull(rows);
        if (cards.Length != 256 || rows.Length != 256)
        {
            throw new ArgumentException("Cards and queue rows are indexed by adapter id 0..255.");
        }
        Topology = topology;
        Apmask = apmask;
        Aqmask = aqmask;
        Drivers = drivers.IsDefault ? [] : drivers;
        CardById = cards;
        Rows = rows;
        Devices = devices.IsDefault ? [] : devices;
        var configured = ApMask.Empty;
        foreach (var c in cards)
        {
            if (c is { Configured: true })
            {
                configured = configured.With(c.Id);
            }
        }
        ConfiguredAdapters = configured;
        MaxDevices = maxDevices;
        VfioApInUse = vfioApInUse;
        ByAdapter = byAdapter ?? DevicesByAdapter.Of(Devices);
        VfioFeatures = vfioFeatures.IsDefault ? [] : vfioFeatures;
        Guests = guests ?? GuestsOf(Devices);
    }

    /// <summary>Guest name to device, from the devices' guests (a guest uses one device).</summary>
    public static ImmutableDictionary<string, MdevId> GuestsOf(ImmutableArray<HostDevice> devices)
    {
        var guests = ImmutableDictionary.CreateBuilder<string, MdevId>(StringComparer.Ordinal);
        foreach (var d in devices)
        {
            if (d.Guest is { } g)
            {
                guests[g] = d.Id;
            }
        }
        return guests.ToImmutable();
    }

    /// <summary>The configuration: id maxima, adapters with their types, usage and control domains.</summary>
    public HostTopology Topology { get; }

    public ApMask Apmask { get; }

    public ApMask Aqmask { get; }

    /// <summary>Names of the drivers registered on the bus.</summary>
    public ImmutableArray<string> Drivers { get; }

    public bool HasDriver(string name) => Drivers.Contains(name);

    /// <summary>Whether the loaded vfio_ap has an in_use callback (kernels before it existed let every mask change through).</summary>
    public bool VfioApInUse { get; }

    internal CardInfo?[] CardById { get; }

    public CardInfo? Card(int id) => (uint)id < 256 ? CardById[id] : null;

    public IEnumerable<CardInfo> Cards => CardById.OfType<CardInfo>();

    /// <summary>Queues by adapter row, then domain; a row is null when the adapter has no queues.</summary>
    internal QueueInfo?[]?[] Rows { get; }

    public QueueInfo? Queue(Apqn apqn) => Rows[apqn.Adapter]?[apqn.Domain];

    /// <summary>Every queue, sorted by APQN.</summary>
    public IEnumerable<QueueInfo> Queues => Rows.Where(r => r is not null).SelectMany(r => r!.OfType<QueueInfo>());

    /// <summary>Matrix devices sorted by UUID.</summary>
    public ImmutableArray<HostDevice> Devices { get; }

    /// <summary>vfio_ap's <c>matrix/features</c> (<c>guest_matrix hotplug ap_config</c> on current kernels); empty without vfio_ap.</summary>
    public ImmutableArray<string> VfioFeatures { get; }

    /// <summary>The devices by assigned adapter (for the sharing and in_use rules).</summary>
    public DevicesByAdapter ByAdapter { get; }

    public HostDevice? Device(MdevId id)
    {
        var i = MatrixDevices.IndexOf(Devices.AsSpan(), id);
        return i >= 0 ? Devices[i] : null;
    }

    /// <summary>How many matrix devices the kernel allows (created ones plus <c>available_instances</c>).</summary>
    public int MaxDevices { get; }

    /// <summary>The kernel's <c>available_instances</c>.</summary>
    public int AvailableInstances => Math.Max(0, MaxDevices - Devices.Length);

    /// <summary>Guest name to the matrix device it uses.</summary>
    public ImmutableDictionary<string, MdevId> Guests { get; }

    /// <summary>Adapters that exist and are configured: the ones that have queues.</summary>
    public ApMask ConfiguredAdapters { get; }

    /// <summary>Kernel <c>ap_owned_by_def_drv</c>: bit a of apmask and bit d of aqmask.</summary>
    public bool IsDefaultOwned(int adapter, int domain) => Apmask.Contains(adapter) && Aqmask.Contains(domain);
}
