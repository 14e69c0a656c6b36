using System.Security.Cryptography;
using System.Text;
using ApManager.Api.Access;
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
