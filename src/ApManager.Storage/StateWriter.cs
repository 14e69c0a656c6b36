using System.Globalization;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.State;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage;

/// <summary>Writes snapshots (whole or as the difference to the last durable one) and audit rows.</summary>
internal static class StateWriter
{
    public static void WriteFull(SqliteConnection c, SqliteTransaction tx, ApSnapshot s)
    {
        SqliteStore.Execute(c, "DELETE FROM meta; DELETE FROM adapters; DELETE FROM mdevs; DELETE FROM queues;", tx);
        WriteMeta(c, tx, s, busToo: true);
        foreach (var a in s.Adapters)
        {
            UpsertAdapter(c, tx, a);
        }
        foreach (var m in s.Mdevs)
        {
            UpsertDevice(c, tx, m);
        }
        using var insert = QueueUpsert(c, tx);
        foreach (var q in s.Queues)
        {
            SetQueue(insert, q);
        }
    }

    /// <summary>Adds the adapter and queue rows a snapshot has and the store lacks; existing rows stay as they are.</summary>
    public static void InsertMissing(SqliteConnection c, SqliteTransaction tx, ApSnapshot s)
    {
        using (var adapter = c.CreateCommand())
        {
            adapter.Transaction = tx;
            adapter.CommandText = "INSERT INTO adapters (id, configured, version) VALUES ($i, $c, $v) ON CONFLICT(id) DO NOTHING;";
            var i = adapter.Parameters.Add("$i", SqliteType.Integer);
            var configured = adapter.Parameters.Add("$c", SqliteType.Integer);
            var v = adapter.Parameters.Add("$v", SqliteType.Integer);
            foreach (var a in s.Adapters)
            {
                (i.Value, configured.Value, v.Value) = (a.Id, a.Configured ? 1 : 0, a.Version);
                adapter.ExecuteNonQuery();
            }
        }
        using var queue = c.CreateCommand();
        queue.Transaction = tx;
        queue.CommandText = "INSERT INTO queues (adapter, domain, version) VALUES ($a, $d, $v) ON CONFLICT(adapter, domain) DO NOTHING;";
        queue.Parameters.Add("$a", SqliteType.Integer);
        queue.Parameters.Add("$d", SqliteType.Integer);
        queue.Parameters.Add("$v", SqliteType.Integer);
        foreach (var q in s.Queues)
        {
            SetQueue(queue, q);
        }
    }

    public static void WriteChanges(SqliteConnection c, SqliteTransaction tx, ApSnapshot before, ApSnapshot after)
    {
        var diff = SnapshotDiff.Between(before, after);
        WriteMeta(c, tx, after, diff.BusChanged);
        foreach (var id in diff.ChangedAdapters)
        {
            if (after.Adapter(id) is { } a)
            {
                UpsertAdapter(c, tx, a);
            }
        }
        foreach (var (id, _, device) in diff.ChangedDevices)
        {
            if (device is null)
            {
                using var delete = c.CreateCommand();
                delete.Transaction = tx;
                delete.CommandText = "DELETE FROM mdevs WHERE uuid = $u;";
                delete.Parameters.AddWithValue("$u", id.ToString());
                delete.ExecuteNonQuery();
            }
            else
            {
                UpsertDevice(c, tx, device);
            }
        }
        if (diff.ChangedQueueRows.Count == 0)
        {
            return;
        }
        using var upsert = QueueUpsert(c, tx);
        using var remove = c.CreateCommand();
        remove.Transaction = tx;
        remove.CommandText = "DELETE FROM queues WHERE adapter = $a AND domain = $d;";
        var ra = remove.Parameters.Add("$a", SqliteType.Integer);
        var rd = remove.Parameters.Add("$d", SqliteType.Integer);
        foreach (var adapter in diff.ChangedQueueRows)
        {
            var old = before.QueuesOf(adapter).ToDictionary(q => q.Apqn.Domain);
            foreach (var q in after.QueuesOf(adapter))
            {
                if (!old.Remove(q.Apqn.Domain, out var previous) || !ReferenceEquals(previous, q))
                {
                    SetQueue(upsert, q);
                }
            }
            foreach (var gone in old.Keys)
            {
                ra.Value = adapter;
                rd.Value = (int)gone;
                remove.ExecuteNonQuery();
            }
        }
    }

    public static void InsertAudit(SqliteConnection c, SqliteTransaction tx, IEnumerable<AuditRecord> records)
    {
        using var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText =
            "INSERT INTO audit (seq, time, actor, action, target, input, accepted, refusal, dry_run, version_before, version_after, before, after, details, events) " +
            "VALUES ($seq, $time, $actor, $action, $target, $input, $accepted, $refusal, $dry, $vb, $va, $before, $after, $details, $events);";
        var p = new Dictionary<string, SqliteParameter>();
        foreach (var name in new[] { "$seq", "$time", "$actor", "$action", "$target", "$input", "$accepted", "$refusal", "$dry", "$vb", "$va", "$before", "$after", "$details", "$events" })
        {
            p[name] = command.Parameters.Add(name, SqliteType.Text);
        }
        foreach (var r in records)
        {
            p["$seq"].Value = r.Seq;
            p["$time"].Value = r.Time.ToString("O", CultureInfo.InvariantCulture);
            p["$actor"].Value = r.Actor;
            p["$action"].Value = r.Action;
            p["$target"].Value = r.Target;
            p["$input"].Value = (object?)r.Input ?? DBNull.Value;
            p["$accepted"].Value = r.Accepted ? 1 : 0;
            p["$refusal"].Value = (object?)r.Refusal ?? DBNull.Value;
            p["$dry"].Value = r.DryRun ? 1 : 0;
            p["$vb"].Value = r.VersionBefore;
            p["$va"].Value = r.VersionAfter;
            p["$before"].Value = (object?)r.Before ?? DBNull.Value;
            p["$after"].Value = (object?)r.After ?? DBNull.Value;
            p["$details"].Value = (object?)r.Details ?? DBNull.Value;
            p["$events"].Value = string.Join(',', r.Events);
            command.ExecuteNonQuery();
        }
    }

    private static void WriteMeta(SqliteConnection c, SqliteTransaction tx, ApSnapshot s, bool busToo)
    {
        using var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO meta (key, value) VALUES ($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value;";
        var k = command.Parameters.Add("$k", SqliteType.Text);
        var v = command.Parameters.Add("$v", SqliteType.Text);
        void Set(string key, string value)
        {
            k.Value = key;
            v.Value = value;
            command.ExecuteNonQuery();
        }
        Set("global_version", s.Version.ToString(CultureInfo.InvariantCulture));
        if (busToo)
        {
            Set("apmask", s.Bus.Apmask.ToString());
            Set("aqmask", s.Bus.Aqmask.ToString());
            Set("bus_version", s.Bus.Version.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void UpsertAdapter(SqliteConnection c, SqliteTransaction tx, AdapterState a)
    {
        using var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO adapters (id, configured, version) VALUES ($i, $c, $v) ON CONFLICT(id) DO UPDATE SET configured = excluded.configured, version = excluded.version;";
        command.Parameters.AddWithValue("$i", a.Id);
        command.Parameters.AddWithValue("$c", a.Configured ? 1 : 0);
        command.Parameters.AddWithValue("$v", a.Version);
        command.ExecuteNonQuery();
    }

    private static void UpsertDevice(SqliteConnection c, SqliteTransaction tx, Core.Matrix.MatrixDevice m)
    {
        using var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText =
            "INSERT INTO mdevs (uuid, name, adapters, domains, control_domains, guest, version) VALUES ($u, $n, $a, $d, $c, $g, $v) " +
            "ON CONFLICT(uuid) DO UPDATE SET name = excluded.name, adapters = excluded.adapters, domains = excluded.domains, " +
            "control_domains = excluded.control_domains, guest = excluded.guest, version = excluded.version;";
        command.Parameters.AddWithValue("$u", m.Id.ToString());
        command.Parameters.AddWithValue("$n", (object?)m.Name ?? DBNull.Value);
        command.Parameters.AddWithValue("$a", FormatIds(m.Adapters));
        command.Parameters.AddWithValue("$d", FormatIds(m.Domains));
        command.Parameters.AddWithValue("$c", FormatIds(m.ControlDomains));
        command.Parameters.AddWithValue("$g", (object?)m.Guest ?? DBNull.Value);
        command.Parameters.AddWithValue("$v", m.Version);
        command.ExecuteNonQuery();
    }

    private static SqliteCommand QueueUpsert(SqliteConnection c, SqliteTransaction tx)
    {
        var command = c.CreateCommand();
        command.Transaction = tx;
        command.CommandText = "INSERT INTO queues (adapter, domain, version) VALUES ($a, $d, $v) ON CONFLICT(adapter, domain) DO UPDATE SET version = excluded.version;";
        command.Parameters.Add("$a", SqliteType.Integer);
        command.Parameters.Add("$d", SqliteType.Integer);
        command.Parameters.Add("$v", SqliteType.Integer);
        return command;
    }

    private static void SetQueue(SqliteCommand upsert, QueueState q)
    {
        upsert.Parameters[0].Value = (int)q.Apqn.Adapter;
        upsert.Parameters[1].Value = (int)q.Apqn.Domain;
        upsert.Parameters[2].Value = q.Version;
        upsert.ExecuteNonQuery();
    }

    public static string FormatIds(ApMask ids) => string.Join(',', ids.ToArray());

    public static ApMask ParseIds(string text) =>
        ApMask.Of(text.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => int.Parse(t, CultureInfo.InvariantCulture)));
}
