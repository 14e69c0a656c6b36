using System.Text;
using ApManager.Core.Host.Simulated;
using ApManager.Core.Host;
using ApManager.Core.Journal;
using ApManager.Core.Masks;
using ApManager.Core.State;
using Microsoft.Data.Sqlite;

namespace ApManager.Storage.Tests;

/// <summary>A fresh folder per test with the store file in it, and the demo system over it; deleted afterwards.</summary>
public sealed class StoreDirectory : IDisposable
{
    public string Directory { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "apmanager-storage-" + Guid.NewGuid().ToString("N"));

    public string Path => System.IO.Path.Combine(Directory, "apmanager.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }

    /// <summary>Opens the store and the demo system over it (restored when the store has state).</summary>
    public (SqliteStore Store, ApSystem System) Open(IStoreMetrics? metrics = null, HostTopology? topology = null)
    {
        var (store, state) = SqliteStore.Open(Path);
        if (metrics is not null)
        {
            store.Metrics = metrics;
        }
        var host = new SimulatedHost(topology ?? HostTopology.Demo);
        return (store, new ApSystem(host, store, state, Seeds.Demo, ApSystem.DefaultMaxMdevs, TimeProvider.System));
    }

    /// <summary>Runs SQL on the file with a connection of its own (a second process would).</summary>
    public void Execute(params string[] statements)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        connection.Open();
        foreach (var sql in statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }

    public static Outcome<BusChange> Flip(ApSystem system, int bit, bool clear)
    {
        var text = (clear ? "-" : "+") + bit;
        return system.ChangeMasks(new MaskInput(text, Encoding.ASCII.GetBytes(text)), null);
    }
}
