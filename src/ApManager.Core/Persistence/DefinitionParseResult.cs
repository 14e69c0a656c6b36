using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace ApManager.Core.Persistence;

/// <summary>Why a definition file is refused: the JSON member (<c>$</c>, <c>mdev_type</c>, <c>attrs[2]</c>, <c>attrs[2].assign_domain</c>) and what is wrong with it.</summary>
public sealed record DefinitionProblem(string Member, string Detail);

/// <summary>The outcome of reading a definition: the definition and the members mdevctl ignores (and drops on rewrite), or the problem.</summary>
public readonly record struct DefinitionParseResult
{
    private DefinitionParseResult(MdevctlDefinition? definition, ImmutableArray<string> ignored, DefinitionProblem? problem) =>
        (Definition, IgnoredMembers, Problem) = (definition, ignored, problem);

    public MdevctlDefinition? Definition { get; }

    /// <summary>Top-level members other than <c>mdev_type</c>, <c>start</c>, <c>attrs</c> (e.g. <c>parent</c>).</summary>
    public ImmutableArray<string> IgnoredMembers { get; }

    public DefinitionProblem? Problem { get; }

    [MemberNotNullWhen(true, nameof(Definition))]
    [MemberNotNullWhen(false, nameof(Problem))]
    public bool Success => Problem is null;

    public static DefinitionParseResult Ok(MdevctlDefinition definition, ImmutableArray<string> ignored) => new(definition, ignored, null);

    public static DefinitionParseResult Fail(string member, string detail) => new(null, [], new DefinitionProblem(member, detail));
}
