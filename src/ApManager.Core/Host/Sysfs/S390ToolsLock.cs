using System.Globalization;
using System.Text;

namespace ApManager.Core.Host.Sysfs;

/// <summary>
/// The s390-tools configuration lock, <c>run/lock/s390apconfig.lock</c>, taken the way chzdev and
/// mdevctl's ap-check take it (libutil's util_lockfile): a PID file linked into place with
/// <c>link(2)</c>; the file exists exactly while the lock is held. A flock alone on that path would
/// not keep those tools out, so the link protocol is the lock; while it holds the lock ApManager
/// also holds an exclusive flock on the file, so a tool that only flocks it waits too, and a lock
/// file that someone flocks is never taken for stale. A lock whose process is gone, or that holds
/// no PID and that nobody flocks (a flock user's leftover, or garbage), is stale and removed.
/// </summary>
public sealed class S390ToolsLock(string path)
{
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
                    return new Lease(Path, pid, Native.TryFlock(Path));
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
        var owner = ReadOwner(Path);
        if (owner is null)
        {
            // Gone meanwhile (or unreadable): try again at once.
            return false;
        }
        var fd = Native.TryFlock(Path);
        if (fd < 0)
        {
            // Flocked by someone (EWOULDBLOCK): held. Gone (ENOENT): not stale, just retry.
            return false;
        }
        Native.Close(fd);
        // libap writes the PID before it links, so a lock file without one is not libap's.
        return owner.Value == 0 || !Native.ProcessExists(owner.Value);
    }

    /// <summary>
    /// The PID in the lock file (0 when it holds none), or null when it cannot be read. Read with a
    /// plain <c>read(2)</c>: .NET's file APIs take an advisory flock of their own, which the holder's
    /// flock refuses.
    /// </summary>
    private static int? ReadOwner(string path)
    {
        var buffer = new byte[32];
        var n = Native.ReadAll(path, buffer);
        if (n < 0)
        {
            return null;
        }
        var text = Encoding.ASCII.GetString(buffer, 0, n).Trim();
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && pid > 0 ? pid : 0;
    }

    /// <summary>Releases the lock only while it is still ours.</summary>
    private sealed class Lease(string path, int pid, int flockFd) : IDisposable
    {
        private bool _released;

        public void Dispose()
        {
            if (_released)
            {
                return;
            }
            _released = true;
            if (ReadOwner(path) == pid)
            {
                Native.Unlink(path);
            }
            if (flockFd >= 0)
            {
                Native.Close(flockFd);
            }
        }
    }
}
