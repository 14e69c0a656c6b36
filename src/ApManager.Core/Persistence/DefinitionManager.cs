using System.Security.Cryptography;
using ApManager.Core.Audit;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.Matrix;
using ApManager.Core.Refusals;
using ApManager.Core.State;

namespace ApManager.Core.Persistence;

/// <summary>The definitions after a call (or as a dry run would leave them) and their version.</summary>
/// <param name="Candidate">The definition a define call writes (or would, for a dry run); null for other calls.</param>
public sealed record DefinitionChange(DefinitionSet Set, long Version, bool DryRun, bool Changed, MdevctlDefinition? Candidate = null);

/// <summary>
/// The defined side of matrix devices and the persistent masks: reads the store, judges each change
/// with ap-check's rules (<see cref="BootRules"/>, every offender listed) and writes it under the
/// store's lock. Definitions are not part of the AP snapshot: they have their own version (the
/// <c>definitions</c> ETag), and each call goes into the same audit trail and event stream as the
/// snapshot's steps, through the journal, with the global version unchanged.
/// </summary>
public sealed class DefinitionManager(ApSystem system, IDefinitionStore store)
{
    /// <summary>How long a change waits for the store's (s390-tools') lock, as host changes do.</summary>
    public static readonly TimeSpan LockTimeout = StepRunner.LockTimeout;

    private readonly Lock _version = new();
    private ulong _fingerprint;
    private long _current;
    private readonly AuditRecorder _recorder = new(system.Time);

    public IDefinitionStore Store => store;

    /// <summary>What is defined now and its version: the version moves whenever the files differ from the last read.</summary>
    public (DefinitionSet Set, long Version) Read()
    {
        var set = store.Read();
        return (set, VersionOf(set));
    }

    private long VersionOf(DefinitionSet set)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(ApRulesFile.Write(set.Masks) ?? []);
        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"|{set.MasksProblem}|"));
        foreach (var entry in set.Entries)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"|{entry.Id}|"));
            hash.AppendData(entry.Definition is { } d ? MdevctlJson.Write(d) : System.Text.Encoding.UTF8.GetBytes($"!{entry.Problem}"));
        }
        var fingerprint = BitConverter.ToUInt64(hash.GetCurrentHash(), 0);
        lock (_version)
        {
            if (_current == 0 || fingerprint != _fingerprint)
            {
                _fingerprint = fingerprint;
                _current++;
            }
            return _current;
        }
    }

    /// <summary>
    /// The masks a definition is judged against: the ones the host boots with, the persistent ones
    /// or, where the rules file sets none, the kernel's default (every adapter and domain to the
    /// host). ap-check falls back to the active masks instead (libap), and so accepts definitions
    /// that the next boot then starts without their queues; ApManager answers what comes back
    /// after a reboot, as the boot preview shows it.
    /// </summary>
    public static (ApMask Apmask, ApMask Aqmask) CheckMasks(PersistentMasks masks) =>
        (masks.BootApmask(ApMaskDefaults.Kernel), masks.BootAqmask(ApMaskDefaults.Kernel));

    /// <summary><c>mdevctl define</c>/<c>modify</c>: writes the definition if ap-check's rules allow it.</summary>
    public Outcome<DefinitionChange> Put(MdevId id, MdevctlDefinition definition, WriteOptions options, string action = "definition.put")
    {
        ArgumentNullException.ThrowIfNull(definition);
        var input = AuditJson.Serialize(new { start = definition.Autostart ? "auto" : "manual", attrs = definition.Attributes.Select(a => new Dictionary<string, string> { [a.Name] = a.Value }) });
        var outcome = Change(action, $"definition/{id}", input, options, set =>
        {
            var (apmask, aqmask) = CheckMasks(set.Masks);
            if (BootRules.CheckDefinition(id, definition, apmask, aqmask, set.Defined) is { } conflict)
            {
                return conflict;
            }
            var existing = set.Find(id);
            return existing?.Definition == definition ? Judged.Nothing : Judged.Writes(() => store.Write(id, definition));
        });
        if (!outcome.IsOk)
        {
            return outcome;
        }
        Outcome<DefinitionChange> answered = outcome.Value with { Candidate = definition };
        return answered.WithDurable(outcome.Durable);
    }

    /// <summary><c>mdevctl define -u</c> of a running device: its assignment, in ap-check's get-attributes form.</summary>
    public Outcome<DefinitionChange> DefineFromActive(MdevId id, StartMode start, WriteOptions options)
    {
        if (system.Current.Mdev(id) is not { } device)
        {
            return Refuse("definition.from-active", $"definition/{id}", null, options, new NotFound("mdev", id.ToString()));
        }
        return Put(id, MdevctlDefinition.FromAssignment(device.Assignment, start), options, "definition.from-active");
    }

    /// <summary><c>mdevctl undefine</c>; the running device is untouched.</summary>
    public Outcome<DefinitionChange> Delete(MdevId id, WriteOptions options) =>
        Change("definition.delete", $"definition/{id}", null, options, set =>
            set.Find(id) is null ? new NotFound("definition", id.ToString()) : Judged.Writes(() => store.Delete(id)));

    /// <summary><c>chzdev -p -t ap apmask=… aqmask=…</c>: relative terms edit the persistent value; newly host-owned APQNs of autostart definitions refuse it.</summary>
    public Outcome<DefinitionChange> PutMasks(MaskInput? apmask, MaskInput? aqmask, WriteOptions options)
    {
        var input = AuditJson.Serialize(new { apmask = apmask?.Text, aqmask = aqmask?.Text });
        return Change("bus.persistent", "bus/persistent", input, options, set =>
        {
            var (oldAp, oldAq) = CheckMasks(set.Masks);
            if (set.Masks.TryApply(apmask, aqmask, system.Current.Bus.Apmask, system.Current.Bus.Aqmask, out var next) is { } invalid)
            {
                return invalid;
            }
            var (newAp, newAq) = CheckMasks(next);
            if (BootRules.CheckMasks(oldAp, oldAq, newAp, newAq, set.Defined) is { } conflict)
            {
                return conflict;
            }
            return next == set.Masks ? Judged.Nothing : Judged.Writes(() => store.WriteMasks(next));
        });
    }

    /// <summary>
    /// Whether an import would replace the definitions and persistent masks with these (each null =
    /// unchanged) and every conflict of the whole new set (<see cref="BootRules.CheckAll"/>), judged without writing.
    /// </summary>
    public (DefinitionConflict? Conflict, bool Changes) CheckReplaceAll(PersistentMasks? masks, IReadOnlyList<DefinedDevice>? definitions)
    {
        var set = store.Read();
        var (apmask, aqmask) = CheckMasks(masks ?? set.Masks);
        return (BootRules.CheckAll(apmask, aqmask, definitions ?? set.Defined), !Same(set, masks, definitions));
    }

    private static bool Same(DefinitionSet set, PersistentMasks? masks, IReadOnlyList<DefinedDevice>? definitions)
    {
        var nextDefinitions = definitions ?? set.Defined;
        return (masks ?? set.Masks) == set.Masks && set.Entries.All(e => e.Definition is not null)
            && nextDefinitions.Count == set.Entries.Count && nextDefinitions.All(d => set.Find(d.Id)?.Definition == d.Definition);
    }

    /// <summary>Import: replaces every definition and/or the persistent masks (null = unchanged), all checked together.</summary>
    public Outcome<DefinitionChange> ReplaceAll(PersistentMasks? masks, IReadOnlyList<DefinedDevice>? definitions, WriteOptions options)
    {
        var input = AuditJson.Serialize(new { apmask = masks?.Apmask?.ToString(), aqmask = masks?.Aqmask?.ToString(), definitions = definitions?.Count });
        return Change("definitions.import", "definitions", input, options, set =>
        {
            var nextMasks = masks ?? set.Masks;
            var nextDefinitions = definitions ?? set.Defined;
            var (apmask, aqmask) = CheckMasks(nextMasks);
            if (BootRules.CheckAll(apmask, aqmask, nextDefinitions) is { } conflict)
            {
                return conflict;
            }
            return Same(set, masks, definitions) ? Judged.Nothing : Judged.Writes(() =>
            {
                if (masks is not null)
                {
                    store.WriteMasks(masks);
                }
                if (definitions is not null)
                {
                    foreach (var gone in set.Entries.Where(e => definitions.All(d => d.Id != e.Id)))
                    {
                        store.Delete(gone.Id);
                    }
                    foreach (var (id, definition) in definitions)
                    {
                        store.Write(id, definition);
                    }
                }
            });
        });
    }

    /// <summary>
    /// One change: the store's lock, a fresh read, If-Match against the definitions version, the
    /// judge (a refusal, null for no change, or the write), the write unless a dry run, the audit record.
    /// </summary>
    private Outcome<DefinitionChange> Change(string action, string target, string? input, WriteOptions options, Func<DefinitionSet, Judged> judge)
    {
        using var lease = store.Lock(LockTimeout);
        if (lease is null)
        {
            return Refuse(action, target, input, options, new HostBusy(store.Location is null ? "the definitions store" : HostLockName(), LockTimeout));
        }
        var (set, version) = Read();
        if (options.Fails(version))
        {
            return Refuse(action, target, input, options, new VersionMismatch("definitions", options.IfMatch!.Value.Expected, version));
        }
        var judged = judge(set);
        if (judged.Refusal is { } refusal)
        {
            return Refuse(action, target, input, options, refusal);
        }
        var before = AuditJson.Serialize(View(set));
        if (judged.Write is null || options.DryRun)
        {
            var answer = new DefinitionChange(set, version, options.DryRun, judged.Write is not null);
            return Audited(action, target, input, options, null, before, before, false, answer);
        }
        try
        {
            judged.Write();
        }
        catch (PersistentFileException e)
        {
            // The file system refused (a read-only /etc, a full disk): a refusal like the kernel's,
            // audited with what is on disk now (an import may have written some files before one failed).
            var (now, _) = Read();
            var onDisk = AuditJson.Serialize(View(now));
            return Audited(action, target, input, options, new HostRefused(e.Errno, e.Path, e.Written), before, onDisk, onDisk != before, null);
        }
        var (after, next) = Read();
        return Audited(action, target, input, options, null, before, AuditJson.Serialize(View(after)), true, new DefinitionChange(after, next, false, true));
    }

    private string HostLockName() => system.Host.LockName ?? "the host's lock";

    private Outcome<DefinitionChange> Refuse(string action, string target, string? input, WriteOptions options, Refusal refusal) =>
        Audited(action, target, input, options, refusal, null, null, false, null);

    private Outcome<DefinitionChange> Audited(string action, string target, string? input, WriteOptions options, Refusal? refusal,
        string? before, string? after, bool changed, DefinitionChange? answer)
    {
        var version = system.Current.Version;
        // A refusal that still changed files (an import refused part-way) says both.
        IReadOnlyList<string> events = options.DryRun ? [] : (refusal is not null, changed) switch
        {
            (true, true) => [EventTypes.ChangeRefused, EventTypes.DefinitionsChanged],
            (true, false) => [EventTypes.ChangeRefused],
            (false, true) => [EventTypes.DefinitionsChanged],
            _ => [],
        };
        var record = new AuditRecord(0, system.Time.GetUtcNow(), options.Actor ?? "anonymous", action, target, input, refusal is null, refusal?.Code,
            options.DryRun, version, version, before, after, refusal is null ? null : AuditJson.Refusal(refusal), events);
        var durable = system.Journal.Append(new JournalEntry(record, null));
        system.Journal.Flush();
        Outcome<DefinitionChange> outcome = refusal is null ? answer! : refusal;
        return outcome.WithDurable(durable);
    }

    private static object View(DefinitionSet set) => new
    {
        apmask = set.Masks.Apmask?.ToString(),
        aqmask = set.Masks.Aqmask?.ToString(),
        definitions = set.Entries.Select(e => new { uuid = e.Id.ToString(), start = e.Definition is { } d ? (d.Autostart ? "auto" : "manual") : null, problem = e.Problem?.Detail }),
    };

    /// <summary>A judge's answer: a refusal, nothing to write (null) or the write.</summary>
    private readonly record struct Judged(Refusal? Refusal, Action? Write)
    {
        public static implicit operator Judged(Refusal refusal) => new(refusal, null);

        public static Judged Nothing => default;

        public static Judged Writes(Action write) => new(null, write);
    }
}
