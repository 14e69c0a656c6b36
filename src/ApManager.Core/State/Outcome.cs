using System.Diagnostics.CodeAnalysis;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;

namespace ApManager.Core.State;

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

/// <summary>The answer to setting a queue online or offline.</summary>
public sealed record QueueChange(QueueState Queue, bool DryRun);

/// <summary>The answer to an import: the state it produced (or would produce).</summary>
public sealed record ImportResult(ApSnapshot Snapshot, IReadOnlyList<Rebound> Rebound, bool DryRun, bool Changed);
