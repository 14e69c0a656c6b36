using ApManager.Core.Drivers;
using ApManager.Core.State;

namespace ApManager.Api.Tests.Stress;

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
