using ApManager.Core.Drivers;
using ApManager.Core.Masks;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Stress;

/// <summary>
/// One registration of a test driver whose in_use callback spins or sleeps briefly, records every
/// call and objects to adapter <see cref="ObjectedAdapter"/> only. After <c>UnregisterDriver</c>
/// returned, the flag is set: a call that is still running or starts afterwards is a violation.
/// </summary>
public sealed class DriverProbe(string name, Random rng)
{
    public const string Prefix = "stress-test-driver-";

    /// <summary>The adapter this driver reports as in use (far above MaxAdapterId, so no device holds it).</summary>
    public const int ObjectedAdapter = 250;

    private readonly Lock _rngLock = new();
    private int _active;
    private long _calls;
    private volatile bool _unregistered;
    private long _violations;
    private long _callsAtUnregister = -1;

    public string Name { get; } = name;

    public long Calls => Interlocked.Read(ref _calls);

    public long Violations => Interlocked.Read(ref _violations);

    /// <summary>Calls counted when unregistration returned; -1 while registered.</summary>
    public long CallsAtUnregister => Interlocked.Read(ref _callsAtUnregister);

    public DriverDefinition Definition => new(Name, IsDefault: false, InUse);

    public IReadOnlyList<Offender> InUse(ApSnapshot snapshot, InUseQuery query)
    {
        Interlocked.Increment(ref _active);
        Interlocked.Increment(ref _calls);
        if (_unregistered)
        {
            Interlocked.Increment(ref _violations);
        }
        try
        {
            int roll;
            lock (_rngLock)
            {
                roll = rng.Next(100);
            }
            if (roll < 5)
            {
                Thread.Sleep(1);
            }
            else
            {
                Thread.SpinWait(200 + (roll * 20));
            }
            List<Offender> offenders = [];
            foreach (var (adapters, domains) in new[] { (query.Adapters1, query.Domains1), (query.Adapters2, query.Domains2) })
            {
                if (adapters.Contains(ObjectedAdapter))
                {
                    foreach (var d in domains)
                    {
                        offenders.Add(new Offender(new Apqn(ObjectedAdapter, (byte)d), Name, null, null));
                    }
                }
            }
            return offenders;
        }
        finally
        {
            if (_unregistered)
            {
                // Still running although UnregisterDriver already returned.
                Interlocked.Increment(ref _violations);
            }
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Called right after <c>UnregisterDriver</c> returned: nothing may be running now or later.</summary>
    public void MarkUnregistered()
    {
        _unregistered = true;
        if (Volatile.Read(ref _active) != 0)
        {
            Interlocked.Increment(ref _violations);
        }
        Interlocked.Exchange(ref _callsAtUnregister, Calls);
    }
}

/// <summary>Registers and unregisters test drivers in a loop on its own thread while the load runs.</summary>
public sealed class DriverChurn(ApSystem system, int seed)
{
    private readonly List<DriverProbe> _probes = [];
    private readonly Random _rng = new(seed);
    private volatile bool _stop;
    private Thread? _thread;
    private volatile DriverProbe? _current;

    public List<string> Failures { get; } = [];

    public int Registrations { get; private set; }

    public int TakenNameRefusals { get; private set; }

    /// <summary>Time between RegisterDriver returning and UnregisterDriver being called, summed.</summary>
    public TimeSpan Registered { get; private set; }

    /// <summary>Time spent inside UnregisterDriver (waiting for calls in flight, then the rebinding step).</summary>
    public TimeSpan Unregistering { get; private set; }

    /// <summary>The probe registered right now, if any.</summary>
    public DriverProbe? Current => _current;

    public IReadOnlyList<DriverProbe> Probes => _probes;

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "driver churn" };
        _thread.Start();
    }

    public void Stop()
    {
        _stop = true;
        if (_thread is not null && !_thread.Join(TimeSpan.FromSeconds(60)))
        {
            Failures.Add("the driver churn thread did not stop within 60 s (UnregisterDriver hangs?)");
        }
    }

    private void Run()
    {
        try
        {
            for (var n = 0; !_stop; n++)
            {
                var probe = new DriverProbe(DriverProbe.Prefix + n.ToString(System.Globalization.CultureInfo.InvariantCulture), new Random(_rng.Next()));
                _probes.Add(probe);
                system.RegisterDriver(probe.Definition);
                var registered = System.Diagnostics.Stopwatch.StartNew();
                _current = probe;
                Registrations++;
                if (n % 10 == 0)
                {
                    try
                    {
                        system.RegisterDriver(new DriverDefinition(probe.Name, false, (_, _) => []));
                        Failures.Add($"registering the taken name {probe.Name} was accepted");
                    }
                    catch (InvalidOperationException)
                    {
                        TakenNameRefusals++;
                    }
                }
                Thread.Sleep(_rng.Next(2, 15));
                _current = null;
                Registered += registered.Elapsed;
                var unregistering = System.Diagnostics.Stopwatch.StartNew();
                if (!system.UnregisterDriver(probe.Name))
                {
                    Failures.Add($"UnregisterDriver({probe.Name}) answered false for a registered driver");
                }
                probe.MarkUnregistered();
                Unregistering += unregistering.Elapsed;
                if (system.Drivers.IsRegistered(probe.Name))
                {
                    Failures.Add($"{probe.Name} is still registered after UnregisterDriver returned");
                }
                Thread.Sleep(_rng.Next(0, 3));
            }
        }
        catch (Exception ex)
        {
            Failures.Add($"driver churn failed: {ex}");
        }
    }
}
