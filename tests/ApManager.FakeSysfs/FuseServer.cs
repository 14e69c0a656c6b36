using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using System.Text;

namespace ApManager.FakeSysfs;

/// <summary>What a FUSE file system answers: a path-based view (paths relative to the mount, "/" for its root).</summary>
public interface IFuseFileSystem
{
    /// <summary>What is at <paramref name="path"/>, or null when nothing is.</summary>
    FuseNode? Stat(string path);

    /// <summary>The names in a directory.</summary>
    IReadOnlyList<string> List(string path);

    /// <summary>A file's whole content.</summary>
    byte[] Read(string path);

    /// <summary>One write(2) to a file: 0, or the errno the writer gets.</summary>
    int Write(string path, ReadOnlySpan<byte> data);

    /// <summary>A symbolic link's target.</summary>
    string ReadLink(string path);
}

public enum FuseNodeKind
{
    Directory,
    File,
    Symlink,
}

/// <summary>A node's kind and permission bits (sysfs attributes: 0644 read-write, 0444 read-only, 0200 write-only).</summary>
public readonly record struct FuseNode(FuseNodeKind Kind, int Permissions);

/// <summary>
/// A FUSE file system served in-process over <c>/dev/fuse</c> with the kernel's protocol (7.31),
/// without libfuse: the fake sysfs the tests point ApManager's real file code at. Nothing is
/// cached by the kernel (no entry or attribute caching, direct I/O), so every read sees the fake
/// kernel's state at that moment and every write(2) arrives as one WRITE, answered with the errno
/// a real sysfs store would give. Needs root (mount(2)) and <c>/dev/fuse</c>.
/// One exception: names are cached by the kernel for <see cref="EntryValidSeconds"/> (kernfs keeps
/// sysfs in the dcache, so a path walk on a real host never leaves the kernel). Attributes are not
/// cached, so <c>stat</c> is exact, and every open, read, readlink and readdir still reaches the fake
/// kernel, which answers for the path as it is now: a name cached after it went away only fails later (ENOENT on open).
/// </summary>
public sealed partial class FuseServer : IDisposable
{
    private const int HeaderIn = 40;
    private const int HeaderOut = 16;
    private const uint MaxWrite = 128 * 1024;
    private const int ENOENT = 2;
    private const int EIO = 5;
    private const int EACCES = 13;
    private const int ENOSYS = 38;
    private const int ENOTDIR = 20;
    private const int EISDIR = 21;

    /// <summary>How long the kernel may keep a looked-up name (the entry timeout); attributes get 0.</summary>
    public const int EntryValidSeconds = 1;

    private readonly IFuseFileSystem _fs;
    private readonly int _fd;
    private readonly Thread[] _workers;
    private readonly ConcurrentDictionary<ulong, string> _paths = new();
    private readonly ConcurrentDictionary<string, ulong> _nodes = new(StringComparer.Ordinal);
    private long _nextNode = 1;
    private volatile bool _stopping;

    private FuseServer(string mountPoint, IFuseFileSystem fs, int fd)
    {
        MountPoint = mountPoint;
        _fs = fs;
        _fd = fd;
        _paths[1] = "/";
        _nodes["/"] = 1;
        _workers = [.. Enumerable.Range(0, 2).Select(i => new Thread(Serve) { IsBackground = true, Name = $"fuse-{i}" })];
        foreach (var worker in _workers)
        {
            worker.Start();
        }
    }

    public string MountPoint { get; }

    /// <summary>Why FUSE cannot be used here (no <c>/dev/fuse</c>, not root), or null when it can.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "FUSE needs Linux.";
        }
        if (!File.Exists("/dev/fuse"))
        {
            return "/dev/fuse does not exist (load the fuse module, or run the container with --device /dev/fuse).";
        }
        return Environment.UserName == "root" || geteuid() == 0 ? null : "mounting a FUSE file system in-process needs root.";
    }

    /// <summary>Mounts <paramref name="fs"/> at <paramref name="mountPoint"/> (an existing, empty directory).</summary>
    public static FuseServer Mount(string mountPoint, IFuseFileSystem fs)
    {
        ArgumentNullException.ThrowIfNull(fs);
        var fd = open("/dev/fuse", 2 | 0x80000, 0);
        if (fd < 0)
        {
            throw new IOException($"open /dev/fuse failed: errno {Marshal.GetLastPInvokeError()}");
        }
        var options = $"fd={fd},rootmode=40000,user_id=0,group_id=0,allow_other";
        if (mount("apmanager-fake", mountPoint, "fuse", 2 | 4, options) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            close(fd);
            throw new IOException($"mount of the fake sysfs at {mountPoint} failed: errno {errno}");
        }
        return new FuseServer(mountPoint, fs, fd);
    }

    public void Dispose()
    {
        _stopping = true;
        // Detach: the kernel stops sending requests and a pending read returns ENODEV.
        umount2(MountPoint, 2);
        foreach (var worker in _workers)
        {
            worker.Join(TimeSpan.FromSeconds(5));
        }
        close(_fd);
    }

    private void Serve()
    {
        var buffer = new byte[MaxWrite + 64 * 1024];
        while (!_stopping)
        {
            var n = Read(buffer);
            if (n < 0)
            {
                var errno = -n;
                // ENOENT: the request was interrupted; EINTR, EAGAIN: retry; anything else: unmounted.
                if (errno is 2 or 4 or 11)
                {
                    continue;
                }
                return;
            }
            if (n < HeaderIn)
            {
                continue;
            }
            Handle(buffer.AsSpan(0, n));
        }
    }

    private void Handle(ReadOnlySpan<byte> request)
    {
        var opcode = BinaryPrimitives.ReadUInt32LittleEndian(request[4..]);
        var unique = BinaryPrimitives.ReadUInt64LittleEndian(request[8..]);
        var nodeId = BinaryPrimitives.ReadUInt64LittleEndian(request[16..]);
        var body = request[HeaderIn..];
        try
        {
            switch (opcode)
            {
                case 26: // INIT
                    Init(unique, body);
                    break;
                case 1: // LOOKUP
                    Lookup(unique, nodeId, body);
                    break;
                case 3: // GETATTR
                case 4: // SETATTR (O_TRUNC before a write): attributes never change
                    GetAttr(unique, nodeId);
                    break;
                case 5: // READLINK
                    ReplyData(unique, Encoding.UTF8.GetBytes(_fs.ReadLink(PathOf(nodeId))));
                    break;
                case 14: // OPEN
                case 27: // OPENDIR
                    Open(unique, nodeId, opcode == 14);
                    break;
                case 15: // READ
                    ReadFile(unique, nodeId, body);
                    break;
                case 16: // WRITE
                    WriteFile(unique, nodeId, body);
                    break;
                case 28: // READDIR
                    ReadDirectory(unique, nodeId, body);
                    break;
                case 17: // STATFS
                    ReplyData(unique, new byte[80]);
                    break;
                case 25: // FLUSH: sysfs has nothing to flush; ENOSYS makes the kernel stop sending it
                    ReplyError(unique, ENOSYS);
                    break;
                case 18: // RELEASE
                case 20: // FSYNC
                case 29: // RELEASEDIR
                case 34: // ACCESS
                    ReplyData(unique, []);
                    break;
                case 2: // FORGET
                case 42: // BATCH_FORGET
                case 36: // INTERRUPT
                    break;
                case 38: // DESTROY
                    ReplyData(unique, []);
                    _stopping = true;
                    break;
                default:
                    ReplyError(unique, ENOSYS);
                    break;
            }
        }
        catch (FileNotFoundException)
        {
            ReplyError(unique, ENOENT);
        }
        catch (UnauthorizedAccessException)
        {
            ReplyError(unique, EACCES);
        }
#pragma warning disable CA1031 // A bug in the fake must answer EIO, not kill the thread the mount waits on.
        catch (Exception)
#pragma warning restore CA1031
        {
            ReplyError(unique, EIO);
        }
    }

    /// <summary>fuse_init_out: protocol 7.31, no readahead, no flags (no caching, no async reads), one page per write.</summary>
    private void Init(ulong unique, ReadOnlySpan<byte> body)
    {
        var reply = new byte[64];
        BinaryPrimitives.WriteUInt32LittleEndian(reply, 7);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(4), 31);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(8), BinaryPrimitives.ReadUInt32LittleEndian(body[8..]));
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(16), 16);
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(18), 12);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(20), MaxWrite);
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(24), 1);
        BinaryPrimitives.WriteUInt16LittleEndian(reply.AsSpan(28), 32);
        ReplyData(unique, reply);
    }

    private void Lookup(ulong unique, ulong parent, ReadOnlySpan<byte> body)
    {
        var nul = body.IndexOf((byte)0);
        var name = Encoding.UTF8.GetString(nul >= 0 ? body[..nul] : body);
        var parentPath = PathOf(parent);
        var path = parentPath == "/" ? "/" + name : parentPath + "/" + name;
        if (_fs.Stat(path) is not { } node)
        {
            ReplyError(unique, ENOENT);
            return;
        }
        var id = _nodes.GetOrAdd(path, _ => (ulong)Interlocked.Increment(ref _nextNode));
        _paths[id] = path;
        var reply = new byte[128];
        BinaryPrimitives.WriteUInt64LittleEndian(reply, id);
        // generation 0; the name is kept for EntryValidSeconds (the dcache), the attributes not at all.
        BinaryPrimitives.WriteUInt64LittleEndian(reply.AsSpan(16), EntryValidSeconds);
        WriteAttr(reply.AsSpan(40), id, node);
        ReplyData(unique, reply);
    }

    private void GetAttr(ulong unique, ulong nodeId)
    {
        var path = PathOf(nodeId);
        if (_fs.Stat(path) is not { } node)
        {
            ReplyError(unique, ENOENT);
            return;
        }
        var reply = new byte[104];
        WriteAttr(reply.AsSpan(16), nodeId, node);
        ReplyData(unique, reply);
    }

    /// <summary>fuse_attr: a sysfs attribute claims 4096 bytes whatever it holds, as sysfs does.</summary>
    private static void WriteAttr(Span<byte> attr, ulong id, FuseNode node)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(attr, id);
        BinaryPrimitives.WriteUInt64LittleEndian(attr[8..], node.Kind == FuseNodeKind.File ? 4096UL : 0UL);
        var type = node.Kind switch
        {
            FuseNodeKind.Directory => 0x4000,
            FuseNodeKind.Symlink => 0xA000,
            _ => 0x8000,
        };
        BinaryPrimitives.WriteUInt32LittleEndian(attr[60..], (uint)(type | node.Permissions));
        BinaryPrimitives.WriteUInt32LittleEndian(attr[64..], node.Kind == FuseNodeKind.Directory ? 2u : 1u);
        BinaryPrimitives.WriteUInt32LittleEndian(attr[80..], 4096);
    }

    private void Open(ulong unique, ulong nodeId, bool file)
    {
        // The name may still be cached after the file went away: the open fails as it would on sysfs.
        var errno = _fs.Stat(PathOf(nodeId)) switch
        {
            null => ENOENT,
            { Kind: FuseNodeKind.Directory } when file => EISDIR,
            { Kind: not FuseNodeKind.Directory } when !file => ENOTDIR,
            _ => 0,
        };
        if (errno != 0)
        {
            ReplyError(unique, errno);
            return;
        }
        var reply = new byte[16];
        // FOPEN_DIRECT_IO: no page cache, so reads always reach the fake kernel.
        BinaryPrimitives.WriteUInt32LittleEndian(reply.AsSpan(8), file ? 1u : 0u);
        ReplyData(unique, reply);
    }

    private void ReadFile(ulong unique, ulong nodeId, ReadOnlySpan<byte> body)
    {
        var offset = (long)BinaryPrimitives.ReadUInt64LittleEndian(body[8..]);
        var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
        var content = _fs.Read(PathOf(nodeId));
        if (offset >= content.Length)
        {
            ReplyData(unique, []);
            return;
        }
        ReplyData(unique, content.AsSpan((int)offset, Math.Min(size, content.Length - (int)offset)));
    }

    private void WriteFile(ulong unique, ulong nodeId, ReadOnlySpan<byte> body)
    {
        var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
        var data = body.Slice(40, size);
        var errno = _fs.Write(PathOf(nodeId), data);
        if (errno != 0)
        {
            ReplyError(unique, errno);
            return;
        }
        var reply = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)size);
        ReplyData(unique, reply);
    }

    private void ReadDirectory(ulong unique, ulong nodeId, ReadOnlySpan<byte> body)
    {
        var offset = (int)BinaryPrimitives.ReadUInt64LittleEndian(body[8..]);
        var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(body[16..]);
        var path = PathOf(nodeId);
        if (_fs.Stat(path) is not { Kind: FuseNodeKind.Directory })
        {
            ReplyError(unique, ENOTDIR);
            return;
        }
        var names = new List<string> { ".", ".." };
        names.AddRange(_fs.List(path));
        var reply = new List<byte>();
        for (var i = offset; i < names.Count; i++)
        {
            var name = Encoding.UTF8.GetBytes(names[i]);
            var entry = (24 + name.Length + 7) & ~7;
            if (reply.Count + entry > size)
            {
                break;
            }
            var child = i < 2 ? null : _fs.Stat(path == "/" ? "/" + names[i] : path + "/" + names[i]);
            var bytes = new byte[entry];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)(i + 100));
            BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), (ulong)(i + 1));
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(16), (uint)name.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(20), child?.Kind switch
            {
                FuseNodeKind.File => 8u,
                FuseNodeKind.Symlink => 10u,
                _ => 4u,
            });
            name.CopyTo(bytes, 24);
            reply.AddRange(bytes);
        }
        ReplyData(unique, reply.ToArray());
    }

    private string PathOf(ulong nodeId) =>
        _paths.TryGetValue(nodeId, out var path) ? path : throw new FileNotFoundException($"node {nodeId}");

    private void ReplyData(ulong unique, ReadOnlySpan<byte> payload)
    {
        var reply = new byte[HeaderOut + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(reply, (uint)reply.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(reply.AsSpan(8), unique);
        payload.CopyTo(reply.AsSpan(HeaderOut));
        Send(reply);
    }

    private void ReplyError(ulong unique, int errno)
    {
        var reply = new byte[HeaderOut];
        BinaryPrimitives.WriteUInt32LittleEndian(reply, HeaderOut);
        BinaryPrimitives.WriteInt32LittleEndian(reply.AsSpan(4), -errno);
        BinaryPrimitives.WriteUInt64LittleEndian(reply.AsSpan(8), unique);
        Send(reply);
    }

    private unsafe int Read(byte[] buffer)
    {
        fixed (byte* start = buffer)
        {
            var n = read(_fd, start, buffer.Length);
            return n < 0 ? -Marshal.GetLastPInvokeError() : (int)n;
        }
    }

    private unsafe void Send(byte[] reply)
    {
        fixed (byte* start = reply)
        {
            // A reply to an interrupted or aborted request fails with ENOENT: nothing to do.
            _ = write(_fd, start, reply.Length);
        }
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string source, string target, string type, ulong flags, string data);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int umount2(string target, int flags);

    [LibraryImport("libc")]
    private static partial uint geteuid();
}
