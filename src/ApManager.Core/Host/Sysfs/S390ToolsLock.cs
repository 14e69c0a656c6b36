using System.Globalization;
using System.Text;

namespace ApManager.Core.Host.Sysfs;

/// <summary>
/// The s390-tools configuration lock, <c>run/lock/s390apconfig.lock</c>, taken the way chzdev and
/// mdevctl's ap-check take it (libutil's util_lockfile): a PID file linked into place with
/// <c>link(2)</c>; the file exists exactly while the lock is held. A lock whose process is gone,
/// or that holds no PID and is over 120 s old, is stale and removed. A flock on that path would
/// not keep those tools out.
/// </summary>
public sealed class S390ToolsLock(string path)
{
    private static readonly TimeSpan StaleWithoutPid = TimeSpan.FromSeconds(120);

    public string Path { get; } = path;

    /// <summary>The lock, or null when another process still held it after <paramref name="timeout"/>.</summary>
    public IDisposable? TryAcquire(TimeSpan timeout)
    {
        var pid = Environment.ProcessId;
        var directory = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(directory);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var temp = $"{Path}{pid % 100000:D5}{Random.Shared.Next(256):x2}";
            if (Native.CreateExclusive(temp, Encoding.ASCII.GetBytes($"{pid}\n")) == 0)
            {
                var linked = Native.Link(temp, Path);
                Native.Unlink(temp);
                if (linked == 0)
                {
                    return new Lease(Path, pid);
                }
            }
            if (IsStale())
            {
                Native.Unlink(Path);
                continue;
            }
            if (DateTime.UtcNow >= deadline)
            {
                return null;
            }
            // The same pace as libap's waiters (30 ms plus a little jitter).
            Thread.Sleep(30 + Random.Shared.Next(4));
        }
    }

    private bool IsStale()
    {
        try
        {
            var text = File.ReadAllText(Path).Trim();
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var owner))
            {
                return !Native.ProcessExists(owner);
            }
            return DateTime.UtcNow - File.GetLastWriteTimeUtc(Path) > StaleWithoutPid;
        }
        catch (IOException)
        {
            // Gone meanwhile: try again at once.
            return false;
        }
    }

    /// <summary>Releases the lock only while it is still ours.</summary>
    private sealed class Lease(string path, int pid) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            if (_released)
            {
                return;
            }
            _released = true;
            try
            {
                if (int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var owner) && owner == pid)
                {
                    Native.Unlink(path);
                }
            }
            catch (IOException)
            {
                // Already gone.
            }
        }
    }
}
