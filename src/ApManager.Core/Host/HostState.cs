using System.Collections.Immutable;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.Host;

/// <summary>One crypto card as the AP bus shows it (<c>/sys/devices/ap/cardXX</c>).</summary>
public sealed record CardInfo(int Id, CardType Type, bool Configured, bool Online);

/// <summary>
/// One AP queue (<c>cardXX/XX.YYYY</c>): the driver bound to it (null = unbound), the matrix
/// device whose adapters × domains contain it, and the guest using it (vfio_ap status in use).
/// </summary>
public sealed record QueueInfo(Apqn Apqn, string? Driver, MdevId? Mdev, string? Guest, bool Online);

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
        DevicesByAdapter? byAdapter = null)
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
