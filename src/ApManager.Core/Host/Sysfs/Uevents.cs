using System.Runtime.InteropServices;
using System.Text;

namespace ApManager.Core.Host.Sysfs;

/// <summary>
/// The kernel's uevents (<c>NETLINK_KOBJECT_UEVENT</c>, the kernel's multicast group): the AP bus
/// announces mask, configuration and online changes, and devices coming and going, on subsystems
/// <c>ap</c>, <c>matrix</c> and <c>mdev</c>. A listener makes ApManager read the host at once
/// instead of at the next poll. Assignments to a matrix device send none (SPEC §11: the poll stays).
/// </summary>
public sealed partial class UeventListener : IDisposable
{
    private const int AF_NETLINK = 16;
    private const int SOCK_RAW = 3;
    private const int SOCK_CLOEXEC = 0x80000;
    private const int NETLINK_KOBJECT_UEVENT = 15;
    private const short POLLIN = 1;

    private readonly int _fd;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _closed;

    private UeventListener(int fd) => _fd = fd;

    /// <summary>A listener, or null (and why) where the kernel does not let this process listen.</summary>
    public static UeventListener? TryOpen(out string? why)
    {
        var fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
        if (fd < 0)
        {
            why = $"socket(AF_NETLINK, NETLINK_KOBJECT_UEVENT) failed: errno {Marshal.GetLastPInvokeError()}";
            return null;
        }
        // sockaddr_nl: family, pad, pid 0 (the kernel picks), groups 1 (kernel uevents).
        Span<byte> address = stackalloc byte[12];
        BitConverter.TryWriteBytes(address, (ushort)AF_NETLINK);
        BitConverter.TryWriteBytes(address[8..], 1u);
        if (bind(fd, ref MemoryMarshal.GetReference(address), address.Length) != 0)
        {
            why = $"bind to the uevent group failed: errno {Marshal.GetLastPInvokeError()}";
            close(fd);
            return null;
        }
        why = null;
        return new UeventListener(fd);
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for uevents; true when one of them concerns the AP
    /// bus or vfio_ap (all that arrived are consumed).
    /// </summary>
    public bool Wait(TimeSpan timeout)
    {
        var relevant = false;
        var wait = (int)Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue);
        while (Volatile.Read(ref _closed) == 0)
        {
            var poll = new PollFd { Fd = _fd, Events = POLLIN };
            var ready = Poll(ref poll, 1, wait);
            if (ready <= 0 || (poll.Revents & POLLIN) == 0)
            {
                return relevant;
            }
            var n = Receive(_fd, _buffer);
            if (n <= 0)
            {
                return relevant;
            }
            relevant |= Concerns(Encoding.ASCII.GetString(_buffer, 0, (int)n));
            wait = 0; // drain what else is queued, without waiting again
        }
        return relevant;
    }

    /// <summary>Whether a uevent (<c>ACTION@DEVPATH\0KEY=VALUE\0…</c>) is about the AP bus, vfio_ap's matrix or an mdev.</summary>
    public static bool Concerns(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var field in message.Split('\0'))
        {
            if (field is "SUBSYSTEM=ap" or "SUBSYSTEM=matrix" or "SUBSYSTEM=mdev")
            {
                return true;
            }
        }
        return false;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 0)
        {
            close(_fd);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private static unsafe nint Receive(int fd, byte[] buffer)
    {
        fixed (byte* start = buffer)
        {
            return recv(fd, start, buffer.Length, 0);
        }
    }

    private static int Poll(ref PollFd fds, int count, int timeout) => poll(ref fds, (nuint)count, timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, ref byte address, int length);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint recv(int fd, byte* buffer, nint length, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(ref PollFd fds, nuint count, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
