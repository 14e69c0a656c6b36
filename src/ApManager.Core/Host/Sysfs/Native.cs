using System.Runtime.InteropServices;
using System.Text;

namespace ApManager.Core.Host.Sysfs;

/// <summary>
/// The few libc calls the sysfs host makes directly: a sysfs write must be exactly one
/// <c>write(2)</c> whose errno is the kernel's answer, and reads of thousands of small
/// attributes should neither allocate nor throw for a missing file.
/// </summary>
internal static unsafe partial class Native
{
    private const int O_RDONLY = 0;
    private const int O_WRONLY = 1;
    private const int O_CREAT = 0x40;
    private const int O_EXCL = 0x80;
    private const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint readlink(string path, byte* buffer, nint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldPath, string newPath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlink(string path);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int flock(int fd, int operation);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    /// <summary>
    /// Reads the whole file into <paramref name="buffer"/> up to end of file (never by its reported
    /// size: sysfs says 4096 for every attribute); the byte count, or -errno.
    /// </summary>
    public static int ReadAll(string path, byte[] buffer)
    {
        var fd = open(path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }
        try
        {
            var total = 0;
            fixed (byte* start = buffer)
            {
                while (total < buffer.Length)
                {
                    var n = read(fd, start + total, buffer.Length - total);
                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno == 4)
                        {
                            continue; // EINTR
                        }
                        return -errno;
                    }
                    if (n == 0)
                    {
                        break;
                    }
                    total += (int)n;
                    if (n < buffer.Length - total + n)
                    {
                        // A short read is the end: sysfs (seq_file) hands the whole attribute to the
                        // first read that has room for it, as do regular files and FUSE's direct_io.
                        // Saves the second read(2) per attribute, a quarter of the syscalls of a host read.
                        break;
                    }
                }
            }
            return total;
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>One <c>write(2)</c> of exactly <paramref name="data"/>; the errno, 0 on success (a short write is EIO).</summary>
    public static int WriteOnce(string path, ReadOnlySpan<byte> data)
    {
        var fd = open(path, O_WRONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        try
        {
            fixed (byte* start = data)
            {
                var n = write(fd, start, data.Length);
                if (n < 0)
                {
                    return Marshal.GetLastPInvokeError();
                }
                return n == data.Length ? 0 : 5;
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary>The last path component of a symbolic link's target, or null when it is not a link.</summary>
    public static string? LinkName(string path, byte[] buffer)
    {
        nint n;
        fixed (byte* start = buffer)
        {
            n = readlink(path, start, buffer.Length);
        }
        if (n <= 0)
        {
            return null;
        }
        var target = buffer.AsSpan(0, (int)n);
        var slash = target.LastIndexOf((byte)'/');
        return Encoding.UTF8.GetString(slash >= 0 ? target[(slash + 1)..] : target);
    }

    /// <summary>Creates a new file (not there before) with mode 0644 holding <paramref name="content"/>; 0 or the errno.</summary>
    public static int CreateExclusive(string path, ReadOnlySpan<byte> content)
    {
        var fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0x1A4);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        try
        {
            fixed (byte* start = content)
            {
                return write(fd, start, content.Length) == content.Length ? 0 : Marshal.GetLastPInvokeError();
            }
        }
        finally
        {
            close(fd);
        }
    }

    /// <summary><c>link(2)</c>: 0 or the errno (EEXIST when the new path exists).</summary>
    public static int Link(string existing, string newPath) => link(existing, newPath) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary><c>unlink(2)</c>: 0 or the errno.</summary>
    public static int Unlink(string path) => unlink(path) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>Whether process <paramref name="pid"/> exists (<c>kill(pid, 0)</c> does not fail with ESRCH).</summary>
    public static bool ProcessExists(int pid) => kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != 3;

    /// <summary>
    /// Opens <paramref name="path"/> and takes an exclusive <c>flock</c> on it without waiting: the
    /// open descriptor (hold it to keep the lock, <see cref="Close"/> it to let go), or -errno
    /// (EWOULDBLOCK 11 when another process holds it, ENOENT when the file is gone).
    /// </summary>
    public static int TryFlock(string path)
    {
        var fd = open(path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }
        if (flock(fd, 2 | 4) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            close(fd);
            return -errno;
        }
        return fd;
    }

    public static void Close(int fd) => close(fd);

    /// <summary>
    /// fsync(2) of a directory, so a file renamed into it is there after a power loss (the file's
    /// own bytes are synced before the rename); 0 or the errno.
    /// </summary>
    public static int SyncDirectory(string path)
    {
        var fd = open(path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return Marshal.GetLastPInvokeError();
        }
        try
        {
            return fsync(fd) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            close(fd);
        }
    }
}
