using System.Collections.Immutable;

namespace ApManager.Core.State;

/// <summary>
/// An <c>If-Match</c> precondition (RFC 9110 §13.1.1): the strong versions it names. Empty names
/// none that can match (a weak or malformed entity tag): the call answers 412.
/// </summary>
public readonly record struct IfMatch(ImmutableArray<long> Versions)
{
    public static IfMatch Of(params long[] versions) => new([.. versions]);

    /// <summary>Names nothing a resource can have.</summary>
    public static IfMatch None { get; } = new([]);

    public bool Matches(long version) => !Versions.IsDefault && Versions.Contains(version);

    /// <summary>The first version named (for the refusal), or -1 when none is.</summary>
    public long Expected => Versions.IsDefaultOrEmpty ? -1 : Versions[0];

    public static implicit operator IfMatch(long version) => Of(version);
}

/// <summary>
/// What every mutation takes besides its own input: the precondition (null = none, also for
/// <c>If-Match: *</c>), whether to preview only, and who asks (for the audit trail).
/// </summary>
public readonly record struct WriteOptions(IfMatch? IfMatch = null, bool DryRun = false, string? Actor = null)
{
    public static WriteOptions Preview { get; } = new(DryRun: true);

    /// <summary>True when a precondition is given and <paramref name="version"/> does not meet it.</summary>
    public bool Fails(long version) => IfMatch is { } expected && !expected.Matches(version);
}
