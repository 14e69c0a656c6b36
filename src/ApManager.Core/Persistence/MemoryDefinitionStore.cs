using System.Collections.Immutable;
using ApManager.Core.Matrix;

namespace ApManager.Core.Persistence;

/// <summary>Definitions of the simulated host in memory (<c>ApManager:Storage:Mode=memory</c>, tests).</summary>
public sealed class MemoryDefinitionStore : IDefinitionStore
{
    private readonly Lock _gate = new();
    private ImmutableSortedDictionary<MdevId, MdevctlDefinition> _definitions = ImmutableSortedDictionary<MdevId, MdevctlDefinition>.Empty;
    private PersistentMasks _masks = PersistentMasks.None;

    public string? Location => null;

    public DefinitionSet Read()
    {
        lock (_gate)
        {
            return new DefinitionSet(_masks, null, [.. _definitions.Select(d => new StoredDefinition(d.Key, d.Value, null))]);
        }
    }

    public void Write(MdevId id, MdevctlDefinition definition)
    {
        lock (_gate)
        {
            // As it would read back from a file: the start member as written is not kept.
            _definitions = _definitions.SetItem(id, definition with { StartAsWritten = null });
        }
    }

    public bool Delete(MdevId id)
    {
        lock (_gate)
        {
            var had = _definitions.ContainsKey(id);
            _definitions = _definitions.Remove(id);
            return had;
        }
    }

    public void WriteMasks(PersistentMasks masks)
    {
        lock (_gate)
        {
            _masks = masks.IsEmpty ? PersistentMasks.None : masks with { Layout = RulesFileLayout.Current };
        }
    }

    /// <summary>Nobody else shares memory: the caller's own serialization is enough.</summary>
    public IDisposable? Lock(TimeSpan timeout) => NoLock.Instance;

    internal sealed class NoLock : IDisposable
    {
        public static readonly NoLock Instance = new();

        public void Dispose()
        {
        }
    }
}
