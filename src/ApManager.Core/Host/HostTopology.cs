using ApManager.Core.Masks;

namespace ApManager.Core.Host;

/// <summary>One adapter the host has (configured or not at start).</summary>
public sealed record AdapterSpec(int Id, CardType Type, bool Configured = true);

/// <summary>
/// What the AP hardware looks like: id maxima, adapters, usage and control domains.
/// This is configuration; which adapters are configured at run time is state.
/// </summary>
public sealed record HostTopology
{
    public HostTopology(int maxAdapterId, int maxDomainId, IReadOnlyList<AdapterSpec> adapters, ApMask usageDomains, ApMask controlDomains)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxAdapterId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAdapterId, 255);
        ArgumentOutOfRangeException.ThrowIfNegative(maxDomainId);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxDomainId, 255);
        MaxAdapterId = maxAdapterId;
        MaxDomainId = maxDomainId;
        var byId = new AdapterSpec?[256];
        foreach (var a in adapters)
        {
            if (a.Id < 0 || a.Id > maxAdapterId)
            {
                throw new ArgumentException($"Adapter id {a.Id} is outside 0..{maxAdapterId}.", nameof(adapters));
            }
            if (byId[a.Id] is not null)
            {
                throw new ArgumentException($"Adapter id {a.Id} is listed twice.", nameof(adapters));
            }
            byId[a.Id] = a;
        }
        if (!usageDomains.Except(ApMask.Range(0, maxDomainId)).IsEmpty || !controlDomains.Except(ApMask.Range(0, maxDomainId)).IsEmpty)
        {
            throw new ArgumentException($"Host domains must not exceed MaxDomainId {maxDomainId}.");
        }
        Adapters = [.. adapters.OrderBy(a => a.Id)];
        AdapterById = byId;
        AdapterIds = ApMask.Of(Adapters.Select(a => a.Id));
        VfioCapableAdapters = ApMask.Of(Adapters.Where(a => a.Type.IsVfioApCapable).Select(a => a.Id));
        UsageDomains = usageDomains;
        ControlDomains = controlDomains;
    }

    public int MaxAdapterId { get; }

    public int MaxDomainId { get; }

    /// <summary>Adapters sorted by id.</summary>
    public IReadOnlyList<AdapterSpec> Adapters { get; }

    internal AdapterSpec?[] AdapterById { get; }

    public AdapterSpec? Adapter(int id) => (uint)id < 256 ? AdapterById[id] : null;

    /// <summary>Ids of every adapter in the topology.</summary>
    public ApMask AdapterIds { get; }

    /// <summary>Ids of the adapters whose type vfio_ap accepts.</summary>
    public ApMask VfioCapableAdapters { get; }

    public ApMask UsageDomains { get; }

    public ApMask ControlDomains { get; }

    public ApMask AdapterRange => ApMask.Range(0, MaxAdapterId);

    public ApMask DomainRange => ApMask.Range(0, MaxDomainId);

    /// <summary>The demo machine of SPEC §7: five CEX cards, usage domains 4, 5, 6, 71, 72.</summary>
    public static HostTopology Demo { get; } = new(
        63,
        84,
        [
            new(3, new CardType(8, CardMode.Cca)),
            new(4, new CardType(8, CardMode.Ep11)),
            new(5, new CardType(8, CardMode.Cca)),
            new(6, new CardType(8, CardMode.Cca)),
            new(7, new CardType(7, CardMode.Accel)),
        ],
        ApMask.Of(4, 5, 6, 71, 72),
        ApMask.Range(0, 84));
}
