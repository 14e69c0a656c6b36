using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace ApManager.Api.Tests.Durability;

/// <summary>
/// A store ApManager cannot trust is refused at start with a message naming the file and the
/// reason, and the file is left exactly as it was: never repaired, migrated or started over.
/// </summary>
public class HostileStorageTests
{
    [Fact]
    public async Task CorruptDatabaseFileStopsTheServiceNamingThePathAndLeavesTheFileUntouched()
    {
        var path = NewFile();
        var garbage = new byte[16 * 1024];
        new Random(20240611).NextBytes(garbage);
        await File.WriteAllBytesAsync(path, garbage);

        var message = await StartFailureAsync(path);

        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.Contains("not a database", message, StringComparison.Ordinal);
        AssertUntouched(path, garbage);
    }

    /// <summary>SQLite files that are not a store this ApManager may open: the statements that make one, and the reason given.</summary>
    public static TheoryData<string, string[], string> UntrustedDatabases => new()
    {
        {
            "another application's database",
            ["CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL);", "INSERT INTO customers (name) VALUES ('ada'), ('grace');"],
            "is not an ApManager database (it has tables but no schema_version)"
        },
        {
            "a newer schema version, which is not downgraded",
            [
                "CREATE TABLE schema_version (version INTEGER NOT NULL, applied TEXT NOT NULL);",
                "INSERT INTO schema_version (version, applied) VALUES (1, '2025-01-01T00:00:00Z'), (99, '2031-01-01T00:00:00Z');",
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;",
                "INSERT INTO meta (key, value) VALUES ('global_version', '4711');",
            ],
            "has schema version 99, newer than this ApManager understands (2)"
        },
    };

    [Theory]
    [MemberData(nameof(UntrustedDatabases))]
    public async Task ADatabaseOfAnotherApplicationOrANewerSchemaStopsTheServiceNamingThePathAndTheReasonAndIsNotModified(string what, string[] statements, string reason)
    {
        var path = NewFile();
        Execute(path, statements);
        var before = await File.ReadAllBytesAsync(path);

        var message = await StartFailureAsync(path);

        Assert.Contains(path, message, StringComparison.Ordinal);
        Assert.True(message.Contains(reason, StringComparison.Ordinal), $"{what}: {message}");
        AssertUntouched(path, before);
    }

    [Fact]
    public async Task RealProcessOnACorruptStoreExitsWithAnErrorNamingThePath()
    {
        var path = NewFile();
        var garbage = RandomNumberGenerator.GetBytes(8192);
        await File.WriteAllBytesAsync(path, garbage);
        try
        {
            await using var service = ApManagerProcess.Start(path);
            var exitCode = await service.WaitForExitAsync(TimeSpan.FromSeconds(30));

            Assert.NotEqual(0, exitCode);
            Assert.Contains("ApManager failed to start", service.Output, StringComparison.Ordinal);
            Assert.Contains($"Cannot open the database {path}: SQLite Error 26: 'file is not a database'", service.Output, StringComparison.Ordinal);
            AssertUntouched(path, garbage);
        }
        finally
        {
            ApManagerApplication.DeleteStorage(path);
        }
    }

    private static string NewFile()
    {
        var path = ApManagerApplication.NewStoragePath();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        return path;
    }

    /// <summary>Starts a host on the file and returns the whole exception message chain of the failed start.</summary>
    private static async Task<string> StartFailureAsync(string path)
    {
        try
        {
            await using var app = new ApManagerApplication(storagePath: path);
            var error = Assert.ThrowsAny<Exception>(() => app.CreateClient());
            var messages = new List<string>();
            for (var e = error; e is not null; e = e.InnerException)
            {
                messages.Add(e.Message);
            }
            Assert.Contains(messages, m => m.Contains(path, StringComparison.Ordinal));
            return string.Join(" | ", messages);
        }
        catch
        {
            ApManagerApplication.DeleteStorage(path);
            throw;
        }
    }

    private static void AssertUntouched(string path, byte[] expected)
    {
        try
        {
            Assert.Equal(expected, File.ReadAllBytes(path));
            Assert.False(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0, "A write-ahead log with content was left next to the refused file.");
        }
        finally
        {
            ApManagerApplication.DeleteStorage(path);
        }
    }

    private static void Execute(string path, params string[] statements)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        foreach (var sql in statements)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
