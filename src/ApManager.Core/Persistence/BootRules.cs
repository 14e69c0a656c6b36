using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;

namespace ApManager.Core.Persistence;

/// <summary>
/// One APQN that breaks a boot rule: the autostart definition that holds it and the other autostart
/// definition that holds it too, or null when the persistent masks give it to the host.
/// </summary>
public sealed record DefinitionOffender(Apqn Apqn, MdevId Definition, MdevId? SharedWith);

/// <summary>
/// ap-check's rules for what comes back after a reboot (fact sheet §3.3–3.5, chzdev §4), over the
/// ids as ap-check reads them (<see cref="ApCheckView"/>), reporting every offender. Manual
/// definitions take no part. Control domains are never checked.
/// </summary>
public static class BootRules
{
    /// <summary>
    /// <c>mdevctl define</c>/<c>modify</c> of <paramref name="id"/>: if the candidate is autostart,
    /// (a) every APQN it shares with another autostart definition, (b) every APQN the persistent masks give the host.
    /// </summary>
    public static DefinitionConflict? CheckDefinition(MdevId id, MdevctlDefinition candidate, ApMask apmask, ApMask aqmask, IEnumerable<DefinedDevice> others)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(others);
        if (!candidate.Autostart)
        {
            return null;
        }
        var mine = candidate.ApCheck.Assignment;
        var shared = new List<DefinitionOffender>();
        foreach (var other in others)
        {
            if (other.Id != id && other.Definition.Autostart)
            {
                AddShared(shared, id, mine, other.Id, other.Definition.ApCheck.Assignment);
            }
        }
        var owned = new List<DefinitionOffender>();
        AddOwned(owned, id, mine, apmask, aqmask);
        return Conflict(shared, owned);
    }

    /// <summary>
    /// <c>chzdev -p -t ap</c>: the APQNs the new persistent masks newly give the host (set bits only,
    /// as chzdev checks), in every autostart definition.
    /// </summary>
    public static DefinitionConflict? CheckMasks(ApMask oldApmask, ApMask oldAqmask, ApMask newApmask, ApMask newAqmask, IEnumerable<DefinedDevice> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var query = InUseQuery.NewlyOwned(oldApmask, oldAqmask, newApmask, newAqmask);
        var owned = new List<DefinitionOffender>();
        if (!query.IsEmpty)
        {
            foreach (var d in definitions.Where(d => d.Definition.Autostart))
            {
                var mine = d.Definition.ApCheck.Assignment;
                AddOwned(owned, d.Id, mine, query.Adapters1, query.Domains1);
                AddOwned(owned, d.Id, mine, query.Adapters2, query.Domains2);
            }
        }
        return Conflict([], owned);
    }

    /// <summary>Every problem of a whole set: each pair of autostart definitions sharing APQNs, each autostart definition's APQNs the masks give the host.</summary>
    public static DefinitionConflict? CheckAll(ApMask apmask, ApMask aqmask, IReadOnlyList<DefinedDevice> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        var auto = definitions.Where(d => d.Definition.Autostart).OrderBy(d => d.Id).Select(d => (d.Id, d.Definition.ApCheck.Assignment)).ToList();
        var shared = new List<DefinitionOffender>();
        var owned = new List<DefinitionOffender>();
        for (var i = 0; i < auto.Count; i++)
        {
            for (var j = i + 1; j < auto.Count; j++)
            {
                AddShared(shared, auto[i].Id, auto[i].Assignment, auto[j].Id, auto[j].Assignment);
            }
            AddOwned(owned, auto[i].Id, auto[i].Assignment, apmask, aqmask);
        }
        return Conflict(shared, owned);
    }

    private static void AddShared(List<DefinitionOffender> into, MdevId id, Assignment mine, MdevId other, Assignment theirs)
    {
        List<Offender>? found = null;
        MatrixRules.AddConflicts(ref found, mine, other, theirs, null);
        into.AddRange(found?.Select(o => new DefinitionOffender(o.Apqn, id, other)) ?? []);
    }

    private static void AddOwned(List<DefinitionOffender> into, MdevId id, Assignment mine, ApMask apmask, ApMask aqmask)
    {
        var found = new List<Offender>();
        MatrixRules.AddOwnedByHost(found, mine, apmask, aqmask, id);
        into.AddRange(found.Select(o => new DefinitionOffender(o.Apqn, id, null)));
    }

    private static DefinitionConflict? Conflict(List<DefinitionOffender> shared, List<DefinitionOffender> owned) =>
        shared.Count == 0 && owned.Count == 0 ? null : new DefinitionConflict(Sorted(shared), Sorted(owned));

    private static List<DefinitionOffender> Sorted(List<DefinitionOffender> offenders) =>
        [.. offenders.Distinct().OrderBy(o => o.Apqn).ThenBy(o => o.Definition).ThenBy(o => o.SharedWith ?? default)];
}
