using ApManager.Core.Drivers;
using ApManager.Core.Host;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.State;

namespace ApManager.Api.Http;

/// <summary>The bus permissions as the kernel shows them.</summary>
public sealed record BusDto(string Apmask, string Aqmask, int MaxAdapterId, int MaxDomainId, long Version)
{
    public static BusDto From(ApSnapshot s) =>
        new(s.Bus.Apmask.ToString(), s.Bus.Aqmask.ToString(), s.Topology.MaxAdapterId, s.Topology.MaxDomainId, s.Bus.Version);
}

/// <summary>A queue whose driver changed; <c>from</c>/<c>to</c> are driver names, null for unbound.</summary>
public sealed record ReboundDto(string Apqn, string? From, string? To)
{
    public static IReadOnlyList<ReboundDto> Of(IReadOnlyList<Rebound> rebound) =>
        [.. rebound.Select(r => new ReboundDto(r.Apqn.ToString(), r.From, r.To))];
}

/// <summary>The result of a mask change: both masks afterwards, the bus version and every queue that moved.</summary>
public sealed record BusChangeDto(string Apmask, string Aqmask, long Version, IReadOnlyList<ReboundDto> Rebound, bool DryRun)
{
    public static BusChangeDto From(BusChange change) =>
        new(change.Bus.Apmask.ToString(), change.Bus.Aqmask.ToString(), change.Bus.Version, ReboundDto.Of(change.Rebound), change.DryRun);
}

/// <summary>
/// A crypto adapter as <c>lszcrypt -V</c> shows it: type (<c>CEX8C</c>) and mode, whether it is
/// configured, online and check-stopped, its queues, the hardware's compatibility and raw types,
/// AP functions (hex and lszcrypt's letters), queue depth, serial number (coprocessors) and
/// request counter (null when the host shows none).
/// </summary>
public sealed record AdapterDto(
    int Id,
    string Type,
    string Mode,
    bool Online,
    bool Configured,
    IReadOnlyList<string> Queues,
    long Version,
    bool Checkstopped,
    int HwType,
    int RawHwType,
    string Functions,
    string FunctionFlags,
    int Depth,
    string? Serial,
    long? RequestCount)
{
    public static AdapterDto From(ApSnapshot s, AdapterState a) => From(a, s.QueuesOf(a.Id).Select(q => q.Apqn));

    public static AdapterDto From(AdapterState a, IEnumerable<Apqn> queues) =>
        new(a.Id, a.Type.ToString(), CardType.ModeName(a.Type.Mode), a.Online, a.Configured, [.. queues.Select(q => q.ToString())], a.Version,
            a.Checkstopped, a.Hardware.HwType, a.Hardware.RawHwType, $"0x{a.Hardware.Functions:X8}", FunctionLetters(a.Hardware.Functions),
            a.Hardware.Depth, a.Hardware.Serial, a.RequestCount);

    /// <summary>lszcrypt's FUNCTIONS column: bits 0..9 as S M C D A X N H F R, '-' where clear.</summary>
    public static string FunctionLetters(uint functions) => string.Create(10, functions, static (span, f) =>
    {
        const string Letters = "SMCDAXNHFR";
        for (var i = 0; i < 10; i++)
        {
            span[i] = (f & (0x80000000u >> i)) != 0 ? Letters[i] : '-';
        }
    });
}

/// <summary>The result of configuring or deconfiguring an adapter.</summary>
public sealed record AdapterChangeDto(AdapterDto Adapter, IReadOnlyList<ReboundDto> Rebound, bool DryRun);

/// <summary>
/// An AP queue: the driver it is bound to, the matrix device that holds it and the guest using it,
/// whether it is usable (online: for a queue of the host's zcrypt driver, its online switch) and
/// check-stopped, vfio_ap's status for a queue bound to it (unassigned, assigned, in use) and the
/// request counter (null when the host shows none).
/// </summary>
public sealed record QueueDto(
    string Apqn,
    int Adapter,
    int Domain,
    string? Driver,
    string? Mdev,
    string? Guest,
    bool Online,
    long Version,
    bool Checkstopped,
    string? Status,
    long? RequestCount)
{
    public static QueueDto From(QueueState q) =>
        new(q.Apqn.ToString(), q.Apqn.Adapter, q.Apqn.Domain, q.Driver, q.Mdev?.ToString(), q.Guest, q.Online, q.Version, q.Checkstopped, q.Status, q.RequestCount);
}

/// <summary>The result of setting a queue online or offline.</summary>
public sealed record QueueChangeDto(QueueDto Queue, bool DryRun);

/// <summary>A registered AP driver and how many queues it has bound.</summary>
public sealed record DriverDto(string Name, bool Default, int Queues);

/// <summary>
/// A vfio_ap matrix device: assigned ids, the APQNs they span, what the guest really gets and the guest.
/// </summary>
public sealed record MdevDto(
    string Uuid,
    string? Name,
    IReadOnlyList<int> Adapters,
    IReadOnlyList<int> Domains,
    IReadOnlyList<int> ControlDomains,
    IReadOnlyList<string> Matrix,
    IReadOnlyList<string> GuestMatrix,
    IReadOnlyList<int> GuestControlDomains,
    string? Guest,
    long Version,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] bool? DryRun = null)
{
    public static MdevDto From(MatrixDevice m, bool? dryRun = null) => new(
        m.Id.ToString(),
        m.Name,
        m.Adapters.ToArray(),
        m.Domains.ToArray(),
        m.ControlDomains.ToArray(),
        [.. m.Assignment.Matrix.Select(a => a.ToString())],
        [.. m.Shadow.Apqns.Select(a => a.ToString())],
        m.Shadow.ControlDomains.ToArray(),
        m.Guest,
        m.Version,
        dryRun);
}

/// <summary>One APQN that blocks a change.</summary>
public sealed record OffenderDto(string Apqn, int Adapter, int Domain, string Driver, string? Mdev, string? Guest)
{
    public static IReadOnlyList<OffenderDto> From(IReadOnlyList<Offender> offenders) =>
        [.. offenders.Select(o => new OffenderDto(o.Apqn.ToString(), o.Apqn.Adapter, o.Apqn.Domain, o.Driver, o.Mdev?.ToString(), o.Guest))];
}

/// <summary>A mask write: exactly the string a user would echo into /sys/bus/ap/apmask.</summary>
public sealed record MaskWriteRequest(string Mask);

/// <summary>Both masks in one atomic step; either may be omitted.</summary>
/// <remarks>The defaults make the members optional: the strict reader requires every constructor parameter without one.</remarks>
public sealed record MasksPatchRequest(string? Apmask = null, string? Aqmask = null);

/// <summary>Configure or deconfigure an adapter.</summary>
public sealed record ConfiguredRequest(bool Configured);

/// <summary>Set an adapter or queue online or offline.</summary>
public sealed record OnlineRequest(bool Online);

/// <summary>Create a matrix device; both members optional.</summary>
/// <remarks>The defaults make the members optional: the strict reader requires every constructor parameter without one.</remarks>
/// <summary>A new matrix device; <c>Define</c> (<c>auto</c> or <c>manual</c>) also writes its persistent definition, as <c>mdevctl start</c> + <c>mdevctl define</c> would.</summary>
public sealed record CreateMdevRequest(string? Uuid = null, string? Name = null, string? Define = null);

/// <summary>The whole assignment of a matrix device.</summary>
public sealed record MdevConfigRequest(IReadOnlyList<long> Adapters, IReadOnlyList<long> Domains, IReadOnlyList<long> ControlDomains);

/// <summary>Attach a guest by name.</summary>
public sealed record GuestRequest(string Name);
