using System.Diagnostics.CodeAnalysis;
using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;

namespace ApManager.Core.State;

/// <summary>An expected refusal of a mutation. Each kind maps to one problem type.</summary>
public abstract record Refusal;

/// <summary>A mask write that does not parse (SPEC §2).</summary>
public sealed record InvalidMask(string Attribute, string Input, MaskErrno Errno, int Position) : Refusal;

/// <summary>The in_use protocol objected (EBUSY): every offender of every driver and device.</summary>
public sealed record QueuesInUse(string Attribute, IReadOnlyDictionary<string, string> Inputs, IReadOnlyList<Offender> Offenders) : Refusal;

/// <summary>A driver's in_use callback threw: the change fails closed.</summary>
public sealed record InUseCheckFailed(string Attribute, string Driver, Exception Error) : Refusal;

/// <summary>If-Match named a version other than the resource's.</summary>
public sealed record VersionMismatch(string Resource, long Expected, long Current) : Refusal;

public sealed record NotFound(string Kind, string Id) : Refusal;

/// <summary>Ids above the host maximum (kernel ENODEV).</summary>
public sealed record IdOutOfRange(string Kind, IReadOnlyList<long> Ids, int Max) : Refusal
{
    /// <summary>Bad ids of further kinds in the same call: a config replace names every offending id.</summary>
    public IReadOnlyList<IdOutOfRange> More { get; init; } = [];
}

/// <summary>APQNs the host's default drivers own (kernel EADDRNOTAVAIL).</summary>
public sealed record ApqnOwnedByHost(MdevId Mdev, IReadOnlyList<Offender> Offenders) : Refusal;

/// <summary>APQNs another matrix device holds (kernel EADDRINUSE).</summary>
public sealed record ApqnConflict(MdevId Mdev, IReadOnlyList<Offender> Offenders) : Refusal;

public sealed record MdevExists(MdevId Mdev) : Refusal;

/// <summary>A guest is attached to the device (delete, or attach of another guest).</summary>
public sealed record MdevInUse(MdevId Mdev, string Guest) : Refusal;

/// <summary>The guest already holds another matrix device (kernel EPERM).</summary>
public sealed record GuestHasMdev(string Guest, MdevId Holder) : Refusal;

/// <summary>The configured cap on matrix devices is reached.</summary>
public sealed record MdevLimitReached(int Limit) : Refusal;

/// <summary>A field that breaks a simple rule (a name too long, a guest name with bad characters).</summary>
public sealed record InvalidInput(string Field, string Detail) : Refusal;

/// <summary>Either a value or a refusal; expected refusals are never exceptions.</summary>
public readonly struct Outcome<T> where T : class
{
    private readonly Task? _durable;

    private Outcome(T? value, Refusal? refusal, Task? durable = null) => (Value, Refusal, _durable) = (value, refusal, durable);

    /// <summary>Completes when the attempt (and its audit record) is durable; faults when the store failed.</summary>
    public Task Durable => _durable ?? Task.CompletedTask;

    public Outcome<T> WithDurable(Task durable) => new(Value, Refusal, durable);

    public T? Value { get; }

    public Refusal? Refusal { get; }

    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Refusal))]
    public bool IsOk => Refusal is null;

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(null, refusal);
}

/// <summary>The answer to a mask change: the bus afterwards and every queue that moved.</summary>
public sealed record BusChange(BusState Bus, IReadOnlyList<Rebound> Rebound, bool DryRun);

/// <summary>The answer to a device mutation: the device afterwards (null once deleted).</summary>
public sealed record MdevChange(MatrixDevice? Device, bool DryRun, bool Changed);

/// <summary>The answer to configuring or deconfiguring an adapter.</summary>
public sealed record AdapterChange(AdapterState Adapter, IReadOnlyList<Apqn> Queues, IReadOnlyList<Rebound> Rebound, bool DryRun);

/// <summary>A mask write as received: the bytes the parser reads and the text shown back.</summary>
public readonly record struct MaskInput(string Text, byte[] Bytes)
{
    public static MaskInput FromString(string text) => new(text, System.Text.Encoding.UTF8.GetBytes(text));
}

/// <summary>Which id set of a matrix device an assignment call edits.</summary>
public enum AssignTarget
{
    Adapter,
    Domain,
    ControlDomain,
}
