using System.Globalization;
using ApManager.Core.Audit;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.State;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>
/// Writes snapshots (whole or as the difference to the last durable one) and audit rows on the
/// store's one write connection. Its statements are prepared once and reused by every commit:
/// preparing them per commit was a measurable part of a lone writer's commit time.
/// </summary>
internal sealed class StateWriter : IDisposable
{
    private static readonly string[] AuditColumns = ["$seq", "$time", "$actor", "$action", "$target", "$input", "$accepted", "$refusal", "$dry", "$vb", "$va", "$before", "$after", "$details", "$events"];

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _audit;
    private readonly SqliteParameter[] _auditValues;
    private readonly SqliteCommand _meta;
    private readonly SqliteCommand _adapter;
    private readonly SqliteCommand _device;
    private readonly SqliteCommand _deviceDelete;
    private readonly SqliteCommand _queueDelete;
    // Multi-row upserts of queue versions by row count (1..QueueBatch), prepared on first use: a mask
    // change rebinds a whole adapter's queues (85 on the demo), and one statement per queue was
    // most of a lone writer's commit beyond the fsync (docs/performance.md).
    private readonly SqliteCommand?[] _queues = new SqliteCommand?[QueueBatch + 1];
    private readonly List<QueueState> _pendingQueues = [];
    private readonly QueueState[] _queueBatch = new QueueState[QueueBatch];

    private const int QueueBatch = 64;

    public StateWriter(SqliteConnection connection)
    {
        _connection = connection;
        _audit = Command(
            "INSERT INTO audit (seq, time, actor, action, target, input, accepted, refusal, dry_run, version_before, version_after, before, after, details, events) " +
            "VALUES ($seq, $time, $actor, $action, $target, $input, $accepted, $refusal, $dry, $vb, $va, $before, $after, $details, $events);",
            AuditColumns);
        _auditValues = [.. _audit.Parameters.Cast<SqliteParameter>()];
        _meta = Command("INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;", "$k", "$v");
        _adapter = Command("INSERT INTO adapters (id, configured, version) VALUES ($i, $c, $v) ON CONFLICT(id) DO UPDATE SET configured = excluded.configured, version = excluded.version;", "$i", "$c", "$v");
        _device = Command(
            "INSERT INTO mdevs (uuid, name, adapters, domains, control_domains, guest, version, mdevctl) VALUES ($u, $n, $a, $d, $c, $g, $v, $m) " +
            "ON CONFLICT(uuid) DO UPDATE SET name = excluded.name, adapters = excluded.adapters, domains = excluded.domains, " +
            "control_domains = excluded.control_domains, guest = excluded.guest, version = excluded.version, mdevctl = excluded.mdevctl;",
            "$u", "$n", "$a", "$d", "$c", "$g", "$v", "$m");
        _deviceDelete = Command("DELETE FROM mdevs WHERE uuid = $u;", "$u");
        _queueDelete = Command("DELETE FROM queues WHERE adapter = $a AND domain = $d;", "$a", "$d");
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    private static int Run(SqliteCommand command, SqliteTransaction tx, params object?[] values)
    {
        command.Transaction = tx;
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return command.ExecuteNonQuery();
    }

    public void WriteFull(SqliteTransaction tx, ApSnapshot s)
    {
        Sql.Execute(_connection, "DELETE FROM meta; DELETE FROM adapters; DELETE FROM mdevs; DELETE FROM queues;", tx);
        WriteMeta(tx, s, busToo: true);
        foreach (var a in s.Adapters)
        {
            UpsertAdapter(tx, a);
        }
        foreach (var m in s.Mdevs)
        {
            UpsertDevice(tx, m);
        }
        UpsertQueues(tx, s.Queues);
    }

    /// <summary>
    /// Adds the adapter and queue rows a snapshot has and the store lacks (<paramref name="stored"/>:
    /// what was read at open); existing rows stay as they are. Rows already stored are skipped
    /// without a statement: on a 256 × 256 host that was 65,536 no-op inserts at every start.
    /// </summary>
    public void InsertMissing(SqliteTransaction tx, ApSnapshot s, PersistedState? stored)
    {
        var storedAdapters = stored?.Adapters.Select(a => a.Id).ToHashSet() ?? [];
        using var adapter = Command("INSERT INTO adapters (id, configured, version) VALUES ($i, $c, $v) ON CONFLICT(id) DO NOTHING;", "$i", "$c", "$v");
        foreach (var a in s.Adapters.Where(a => !storedAdapters.Contains(a.Id)))
        {
            Run(adapter, tx, a.Id, a.Configured ? 1 : 0, a.Version);
        }
        using var queue = Command("INSERT INTO queues (adapter, domain, version) VALUES ($a, $d, $v) ON CONFLICT(adapter, domain) DO NOTHING;", "$a", "$d", "$v");
        foreach (var q in s.Queues.Where(q => stored is null || !stored.QueueVersions.ContainsKey(q.Apqn)))
        {
            Run(queue, tx, (int)q.Apqn.Adapter, (int)q.Apqn.Domain, q.Version);
        }
    }

    public void WriteChanges(SqliteTransaction tx, ApSnapshot before, ApSnapshot after)
    {
        var diff = SnapshotDiff.Between(before, after);
        WriteMeta(tx, after, diff.BusChanged);
        foreach (var id in diff.ChangedAdapters)
        {
            if (after.Adapter(id) is { } a)
            {
                UpsertAdapter(tx, a);
            }
        }
        foreach (var (id, _, device) in diff.ChangedDevices)
        {
            if (device is null)
            {
                Run(_deviceDelete, tx, id.ToString());
            }
            else
            {
                UpsertDevice(tx, device);
            }
        }
        _pendingQueues.Clear();
        foreach (var adapter in diff.ChangedQueueRows)
        {
            var old = before.QueuesOf(adapter).ToDictionary(q => q.Apqn.Domain);
            foreach (var q in after.QueuesOf(adapter))
            {
                if (!old.Remove(q.Apqn.Domain, out var previous) || !ReferenceEquals(previous, q))
                {
                    _pendingQueues.Add(q);
                }
            }
            foreach (var gone in old.Keys)
            {
                Run(_queueDelete, tx, adapter, (int)gone);
            }
        }
        UpsertQueues(tx, _pendingQueues);
        _pendingQueues.Clear();
    }

    public void InsertAudit(SqliteTransaction tx, IEnumerable<AuditRecord> records)
    {
        _audit.Transaction = tx;
        var p = _auditValues;
        foreach (var r in records)
        {
            p[0].Value = r.Seq;
            p[1].Value = r.Time.ToString("O", CultureInfo.InvariantCulture);
            p[2].Value = r.Actor;
            p[3].Value = r.Action;
            p[4].Value = r.Target;
            p[5].Value = (object?)r.Input ?? DBNull.Value;
            p[6].Value = r.Accepted ? 1 : 0;
            p[7].Value = (object?)r.Refusal ?? DBNull.Value;
            p[8].Value = r.DryRun ? 1 : 0;
            p[9].Value = r.VersionBefore;
            p[10].Value = r.VersionAfter;
            p[11].Value = (object?)r.Before ?? DBNull.Value;
            p[12].Value = (object?)r.After ?? DBNull.Value;
            p[13].Value = (object?)r.Details ?? DBNull.Value;
            p[14].Value = string.Join(',', r.Events);
            _audit.ExecuteNonQuery();
        }
    }

    private void WriteMeta(SqliteTransaction tx, ApSnapshot s, bool busToo)
    {
        Run(_meta, tx, "global_version", s.Version.ToString(CultureInfo.InvariantCulture));
        if (busToo)
        {
            Run(_meta, tx, "apmask", s.Bus.Apmask.ToString());
            Run(_meta, tx, "aqmask", s.Bus.Aqmask.ToString());
            Run(_meta, tx, "bus_version", s.Bus.Version.ToString(CultureInfo.InvariantCulture));
        }
    }

    private void UpsertAdapter(SqliteTransaction tx, AdapterState a) => Run(_adapter, tx, a.Id, a.Configured ? 1 : 0, a.Version);

    private void UpsertDevice(SqliteTransaction tx, Core.Matrix.MatrixDevice m) =>
        Run(_device, tx, m.Id.ToString(), m.Name, IdList.Format(m.Adapters), IdList.Format(m.Domains), IdList.Format(m.ControlDomains), m.Guest, m.Version,
            m.Mdevctl is { } form ? System.Text.Encoding.UTF8.GetString(Core.Persistence.MdevctlJson.Write(form)) : null);

    /// <summary>Queue versions, up to <see cref="QueueBatch"/> rows per statement.</summary>
    private void UpsertQueues(SqliteTransaction tx, IEnumerable<QueueState> queues)
    {
        var batch = _queueBatch;
        var count = 0;
        foreach (var q in queues)
        {
            batch[count++] = q;
            if (count == QueueBatch)
            {
                UpsertQueues(tx, batch, count);
                count = 0;
            }
        }
        if (count > 0)
        {
            UpsertQueues(tx, batch, count);
        }
        // No references kept to a snapshot's queues between commits.
        Array.Clear(batch);
    }

    private void UpsertQueues(SqliteTransaction tx, QueueState[] batch, int count)
    {
        var command = _queues[count] ??= QueuesCommand(count);
        command.Transaction = tx;
        for (var i = 0; i < count; i++)
        {
            command.Parameters[3 * i].Value = (int)batch[i].Apqn.Adapter;
            command.Parameters[(3 * i) + 1].Value = (int)batch[i].Apqn.Domain;
            command.Parameters[(3 * i) + 2].Value = batch[i].Version;
        }
        command.ExecuteNonQuery();
    }

    private SqliteCommand QueuesCommand(int rows)
    {
        var values = string.Join(", ", Enumerable.Range(0, rows).Select(i => $"($a{i}, $d{i}, $v{i})"));
        return Command(
            $"INSERT INTO queues (adapter, domain, version) VALUES {values} ON CONFLICT(adapter, domain) DO UPDATE SET version = excluded.version;",
            [.. Enumerable.Range(0, rows).SelectMany(i => new[] { $"$a{i}", $"$d{i}", $"$v{i}" })]);
    }

    public void Dispose()
    {
        foreach (var command in new[] { _audit, _meta, _adapter, _device, _deviceDelete, _queueDelete }.Concat(_queues.OfType<SqliteCommand>()))
        {
            command.Dispose();
        }
    }
}
