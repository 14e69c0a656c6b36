using System.Security.Cryptography;
using System.Text;
using ApManager.Api.Access;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ApManager.Api.Tests.Access;

public class FirstRunKeyTests
{
    [Fact]
    public void AFirstStartCreatesAnAdminKeyOnlyItsOwnerCanReadAndTheNextStartReusesIt()
    {
        var storage = ApManagerApplication.NewStoragePath();
        var dir = Path.GetDirectoryName(storage)!;
        try
        {
            var created = FirstRunKey.LoadOrCreate(storage, NullLogger.Instance);

            Assert.Equal(("admin", Roles.Admin), (created.Name, created.Role));
            var key = File.ReadAllText(Path.Combine(dir, FirstRunKey.KeyFile)).TrimEnd('\n');
            Assert.StartsWith("apm_", key, StringComparison.Ordinal);
            Assert.Equal(created.Hash, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
            Assert.DoesNotContain(key, File.ReadAllText(Path.Combine(dir, FirstRunKey.HashFile)), StringComparison.Ordinal);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, FirstRunKey.KeyFile)));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, FirstRunKey.HashFile)));
            }
            var reused = FirstRunKey.LoadOrCreate(storage, NullLogger.Instance);
            Assert.Equal(created.Hash, reused.Hash);
        }
        finally
        {
            ApManagerApplication.DeleteStorage(storage);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TheKeyIsShownOnTheConsoleButNeverWrittenToTheSystemJournal(bool logIsJournal)
    {
        var storage = ApManagerApplication.NewStoragePath();
        var logger = new ListLogger();
        try
        {
            FirstRunKey.LoadOrCreate(storage, logger, logIsJournal);

            var key = File.ReadAllText(Path.Combine(Path.GetDirectoryName(storage)!, FirstRunKey.KeyFile)).TrimEnd('\n');
            var line = Assert.Single(logger.Lines);
            Assert.Equal(!logIsJournal, line.Contains(key, StringComparison.Ordinal));
            Assert.Contains(Path.Combine(Path.GetDirectoryName(storage)!, FirstRunKey.KeyFile), line, StringComparison.Ordinal);
        }
        finally
        {
            ApManagerApplication.DeleteStorage(storage);
        }
    }

    [Fact]
    public void InMemoryModeTheKeyIsShownEvenToTheJournalForItIsNowhereElse()
    {
        var logger = new ListLogger();

        var created = FirstRunKey.LoadOrCreate(null, logger, logIsJournal: true);

        var line = Assert.Single(logger.Lines);
        var key = System.Text.RegularExpressions.Regex.Match(line, "apm_[A-Za-z0-9_-]+").Value;
        Assert.Equal(created.Hash, SHA256.HashData(Encoding.UTF8.GetBytes(key)));
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }

    [Fact]
    public void ADamagedHashFileStopsTheStartNamingIt()
    {
        var storage = ApManagerApplication.NewStoragePath();
        var hashFile = Path.Combine(Path.GetDirectoryName(storage)!, FirstRunKey.HashFile);
        Directory.CreateDirectory(Path.GetDirectoryName(storage)!);
        File.WriteAllText(hashFile, """{"name":"admin","role":"root","hash":"sha256:00"}""");
        try
        {
            var refused = Assert.Throws<InvalidOperationException>(() => FirstRunKey.LoadOrCreate(storage, NullLogger.Instance));

            Assert.Contains(hashFile, refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            ApManagerApplication.DeleteStorage(storage);
        }
    }
}
