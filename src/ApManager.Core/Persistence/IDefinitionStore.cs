using ApManager.Core.Matrix;

namespace ApManager.Core.Persistence;

/// <summary>
/// Where the persistent definitions live: mdevctl's device files and chzdev's rules file, on the
/// real host under <c>Host:Root</c>, for the simulated host in ApManager's own directory or memory.
/// </summary>
public interface IDefinitionStore
{
    /// <summary>Every definition file and the persistent masks, bad files reported as entries, never thrown.</summary>
    DefinitionSet Read();

    /// <summary>Writes (or replaces) the definition of <paramref name="id"/> as mdevctl writes it.</summary>
    void Write(MdevId id, MdevctlDefinition definition);

    /// <summary>Removes the definition of <paramref name="id"/> (<c>mdevctl undefine</c>); false when there was none.</summary>
    bool Delete(MdevId id);

    /// <summary>Writes the persistent masks as chzdev does; no mask left deletes the file.</summary>
    void WriteMasks(PersistentMasks masks);

    /// <summary>The lock the tools that share these files take (s390-tools' on a real host); null when not obtained in time.</summary>
    IDisposable? Lock(TimeSpan timeout);

    /// <summary>Where the files live, for messages; null for memory.</summary>
    string? Location { get; }
}

/// <summary>One file in the matrix directory: its definition, or why mdevctl (and ApManager) cannot read it.</summary>
public sealed record StoredDefinition(MdevId Id, MdevctlDefinition? Definition, DefinitionProblem? Problem);

/// <summary>What a store holds now: the persistent masks (or why the rules file is unreadable) and every definition file, sorted by UUID.</summary>
public sealed record DefinitionSet(PersistentMasks Masks, string? MasksProblem, IReadOnlyList<StoredDefinition> Entries)
{
    public static DefinitionSet Empty { get; } = new(PersistentMasks.None, null, []);

    /// <summary>The definitions that read fine.</summary>
    public IReadOnlyList<DefinedDevice> Defined => [.. Entries.Where(e => e.Definition is not null).Select(e => new DefinedDevice(e.Id, e.Definition!))];

    public StoredDefinition? Find(MdevId id) => Entries.FirstOrDefault(e => e.Id == id);
}
