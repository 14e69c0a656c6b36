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
    private readonly TimeProvider _time;
    private HostState _last;
    private ulong? _signature;
    private DateTimeOffset _lastFull;

    public SysfsHost(string root, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
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

    /// <summary>How long the poll may go on the signature alone before it reads everything again.</summary>
    public static readonly TimeSpan FullReadInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// What the watcher calls every <c>Host:PollSeconds</c>: the cheap signature (a few files per card
    /// and device, see <see cref="SysfsReader.Signature"/>); the whole picture only when it changed,
    /// the host was unavailable, or the last full read is older than <see cref="FullReadInterval"/>.
    /// Null when nothing changed.
    /// </summary>
    public HostState? Poll()
    {
        lock (_gate)
        {
            ulong signature;
            try
            {
                signature = _reader.Signature();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return ReadLocked(null);
            }
            if (Unavailable is null && signature == _signature && _time.GetUtcNow() - _lastFull < FullReadInterval)
            {
                LastRead = _time.GetUtcNow();
                return null;
            }
            return ReadLocked(signature);
        }
    }

    public HostState Read()
    {
        lock (_gate)
        {
            ulong? signature = null;
            try
            {
                signature = _reader.Signature();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The read below says why.
            }
            return ReadLocked(signature);
        }
    }

    /// <summary>Under the gate: the whole picture, taken after <paramref name="signature"/> (a change in between shows at the next poll).</summary>
    private HostState ReadLocked(ulong? signature)
    {
        try
        {
            _last = _reader.Read();
            _signature = signature;
            _lastFull = _time.GetUtcNow();
            Unavailable = null;
            LastRead = _lastFull;
        }
        catch (Exception ex) when (ex is HostUnavailableException or IOException or UnauthorizedAccessException)
        {
            Unavailable = ex.Message;
        }
        return _last;
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
