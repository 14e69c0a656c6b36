using ApManager.Core.Host;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;

namespace ApManager.Core.State;

/// <summary>
/// What a command decided against one snapshot, before anything is written: a refusal, an
/// answer that needs no write (a no-op), or a write to the host and how to answer from the
/// snapshot it leads to.
/// </summary>
internal abstract record Verdict<T> where T : class
{
    public static implicit operator Verdict<T>(Refusal refusal) => new Refused<T>(refusal);

    public static implicit operator Verdict<T>(T answer) => new Answered<T>(answer);
}

internal sealed record Refused<T>(Refusal Refusal) : Verdict<T> where T : class;

internal sealed record Answered<T>(T Answer) : Verdict<T> where T : class;

/// <summary>A write to the host; <paramref name="Names"/> sets ApManager's names of devices in the same step.</summary>
internal sealed record Writing<T>(HostWrite Write, Func<ApSnapshot, IReadOnlyList<Rebound>, T> Answer, IReadOnlyDictionary<MdevId, string?>? Names = null,
    IReadOnlyDictionary<MdevId, Persistence.MdevctlDefinition?>? Forms = null)
    : Verdict<T> where T : class;
