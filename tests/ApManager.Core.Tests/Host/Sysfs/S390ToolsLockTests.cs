using System.Diagnostics;
using ApManager.Core.Host.Sysfs;

namespace ApManager.Core.Tests.Host.Sysfs;

/// <summary>The s390-tools lock taken the way libap takes it: a PID file linked into place.</summary>
public sealed class S390ToolsLockTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apmanager-lock-").FullName;

    private string LockFile => Path.Combine(_dir, "run", "lock", "s390apconfig.lock");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_taken_lock_is_a_file_with_our_pid_and_is_gone_after_release()
    {
        var sut = new S390ToolsLock(LockFile);
        using (var lease = sut.TryAcquire(TimeSpan.FromSeconds(1)))
        {
            Assert.NotNull(lease);
            Assert.Equal($"{Environment.ProcessId}\n", ReadLock());
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(LockFile)!));
        }
        Assert.False(File.Exists(LockFile));
        using var again = sut.TryAcquire(TimeSpan.FromSeconds(1));
        Assert.NotNull(again);
    }

    [Fact]
    public void A_lock_held_by_a_live_process_is_waited_for_and_then_given_up()
    {
        using var other = Process.Start(new ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
            File.WriteAllText(LockFile, $"{other.Id}\n");
            var watch = Stopwatch.StartNew();
            Assert.Null(new S390ToolsLock(LockFile).TryAcquire(TimeSpan.FromMilliseconds(300)));
            Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(5));
            Assert.Equal($"{other.Id}\n", ReadLock());
        }
        finally
        {
            other.Kill();
        }
    }

    [Fact]
    public void A_lock_left_by_a_dead_process_is_stale_and_taken_over()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        File.WriteAllText(LockFile, $"{gone.Id}\n");
        using var lease = new S390ToolsLock(LockFile).TryAcquire(TimeSpan.FromSeconds(1));
        Assert.NotNull(lease);
        Assert.Equal($"{Environment.ProcessId}\n", ReadLock());
    }

    [Fact]
    public void A_lock_file_someone_flocks_is_held_even_without_a_pid()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        File.WriteAllText(LockFile, "");
        using var flocker = Process.Start(new ProcessStartInfo("flock", $"-x {LockFile} sleep 30") { UseShellExecute = false })!;
        try
        {
            // flock(1) holds it once it runs its command.
            var until = DateTime.UtcNow.AddSeconds(5);
            while (DateTime.UtcNow < until && !Process.GetProcesses().Any(p => p.ProcessName == "sleep" && p.Id != flocker.Id && IsChildOf(p, flocker.Id)))
            {
                Thread.Sleep(20);
            }
            Assert.Null(new S390ToolsLock(LockFile).TryAcquire(TimeSpan.FromMilliseconds(200)));
            Assert.True(File.Exists(LockFile));
        }
        finally
        {
            flocker.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void A_lock_file_without_pid_that_nobody_flocks_is_stale()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(LockFile)!);
        File.WriteAllText(LockFile, "");
        using var lease = new S390ToolsLock(LockFile).TryAcquire(TimeSpan.FromSeconds(1));
        Assert.NotNull(lease);
    }

    [Fact]
    public void While_held_the_lock_keeps_out_a_second_taker_and_flock_users()
    {
        var sut = new S390ToolsLock(LockFile);
        using var lease = sut.TryAcquire(TimeSpan.FromSeconds(1));
        Assert.NotNull(lease);
        Assert.Null(new S390ToolsLock(LockFile).TryAcquire(TimeSpan.FromMilliseconds(100)));
        using var flock = Process.Start(new ProcessStartInfo("flock", $"-n -x {LockFile} true") { UseShellExecute = false })!;
        flock.WaitForExit();
        Assert.NotEqual(0, flock.ExitCode);
    }

    /// <summary>Reads the lock file without .NET's own advisory flock, which the holder's flock would refuse.</summary>
    private string ReadLock()
    {
        var buffer = new byte[64];
        var n = Native.ReadAll(LockFile, buffer);
        Assert.True(n >= 0, $"reading {LockFile}: errno {-n}");
        return System.Text.Encoding.ASCII.GetString(buffer, 0, n);
    }

    private static bool IsChildOf(Process p, int parent)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{p.Id}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parent;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
