namespace ApManager.Core.Host.Simulated;

/// <summary>
/// The demo's machine and the test double: a host whose kernel is <see cref="SimulatedKernel"/>.
/// It holds one state and applies each write with the kernel's rules, so the manager talks to it
/// exactly as it talks to a real host. It has no memory across restarts: the store is its memory,
/// and <see cref="Boot"/> starts it from a configuration.
/// </summary>
public sealed class SimulatedHost : IBootableHost
{
    private readonly Lock _gate = new();
    private HostState _state;

    /// <summary>A host with <paramref name="topology"/>, booted with the kernel's defaults (both masks all ones, no devices).</summary>
    public SimulatedHost(HostTopology topology, int maxDevices = DefaultMaxDevices)
    {
        ArgumentNullException.ThrowIfNull(topology);
        Topology = topology;
        MaxDevices = maxDevices;
        _state = SimulatedKernel.Boot(topology, Seeds.BootDefaults, maxDevices);
    }

    /// <summary>The kernel's limit on matrix devices (vfio_ap's MAX_ZDEV_ENTRIES_EXT).</summary>
    public const int DefaultMaxDevices = 65536;

    public HostTopology Topology { get; }

    public int MaxDevices { get; }

    public HostKind Kind => HostKind.Simulated;

    public HostState Read() => Volatile.Read(ref _state);

    public Errno Apply(HostWrite write)
    {
        lock (_gate)
        {
            var result = SimulatedKernel.Apply(_state, write);
            if (result.Accepted)
            {
                Volatile.Write(ref _state, result.State);
            }
            return result.Errno;
        }
    }

    /// <summary>The simulated host has no other tools: nobody else holds its lock.</summary>
    public IDisposable? Lock(TimeSpan timeout) => NoLock.Instance;

    public string? LockName => null;

    public RefusedWrite? LastRefused => null;

    public string? Unavailable => null;

    /// <summary>Nothing but this process changes the simulated host.</summary>
    public HostState? Poll() => null;

    public void Boot(InitialState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var booted = SimulatedKernel.Boot(Topology, state, MaxDevices);
        lock (_gate)
        {
            Volatile.Write(ref _state, booted);
        }
    }

    public void Reset(HostState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            Volatile.Write(ref _state, state);
        }
    }

    private sealed class NoLock : IDisposable
    {
        public static NoLock Instance { get; } = new();

        public void Dispose()
        {
        }
    }
}
