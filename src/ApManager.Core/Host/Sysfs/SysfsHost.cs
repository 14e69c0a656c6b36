using System.Collections.Immutable;
using ApManager.Core.Masks;

namespace ApManager.Core.Host.Sysfs;

/// <summary>
/// A real IBM Z / LinuxONE host through sysfs (SPEC §11): reads the whole AP picture under the
/// root, applies each write with <c>write(2)</c> and answers the kernel's errno, and takes the
/// s390-tools lock. While the AP bus cannot be read it keeps showing the last picture it read
/// (an empty one before the first) and says so through <see cref="Unavailable"/>.
/// </summary>
public sealed class SysfsHost : IApHost
{
    private readonly Lock _gate = new();
    private readonly SysfsReader _reader;
    private readonly SysfsWriter _writer;
    private readonly S390ToolsLock _lock;
    private HostState _last;

    public SysfsHost(string root)
    {
        Layout = new SysfsLayout(root);
        _reader = new SysfsReader(Layout);
        _writer = new SysfsWriter(Layout);
        _lock = new S390ToolsLock(Layout.LockFile);
        _last = Empty;
    }

    public SysfsLayout Layout { get; }

    public HostKind Kind => HostKind.Sysfs;

    public string? LockName => _lock.Path;

    /// <summary>Why the last read failed, or null while the host reads fine.</summary>
    public string? Unavailable { get; private set; }

    /// <summary>When the host was last read successfully.</summary>
    public DateTimeOffset? LastRead { get; private set; }

    public HostState Read()
    {
        lock (_gate)
        {
            try
            {
                _last = _reader.Read();
                Unavailable = null;
                LastRead = DateTimeOffset.UtcNow;
            }
            catch (Exception ex) when (ex is HostUnavailableException or IOException or UnauthorizedAccessException)
            {
                Unavailable = ex.Message;
            }
            return _last;
        }
    }

    public Errno Apply(HostWrite write)
    {
        ArgumentNullException.ThrowIfNull(write);
        lock (_gate)
        {
            return _writer.Apply(write, _last);
        }
    }

    public RefusedWrite? LastRefused => _writer.LastRefused;

    public IDisposable? Lock(TimeSpan timeout) => _lock.TryAcquire(timeout);

    /// <summary>A host with nothing on it: what ApManager shows before the first successful read.</summary>
    private static HostState Empty { get; } = new(
        new HostTopology(0, 0, [], ApMask.Empty, ApMask.Empty), ApMask.Empty, ApMask.Empty, ImmutableArray<string>.Empty,
        new CardInfo?[256], new QueueInfo?[]?[256], [], 0);
}
