namespace ApManager.Api.Tests.Stress;

/// <summary>
/// One of the concurrent clients. It owns some mask bits (<see cref="OwnMaskBits"/>), adapter
/// [3,4,5,6,7][c] for c &lt; 5, its matrix device and a few temporary devices: for those it knows
/// whether a 2xx committed a change, so every commit is counted. Until the deadline it draws an
/// operation from a fixed mix, about one in twelve as a dry run.
/// </summary>
public sealed class StressClient
{
    private readonly StressRun _run;
    private readonly Random _rng;
    private readonly ClientChannel _channel;
    private readonly MaskWorkload _masks;
    private readonly DeviceWorkload _devices;
    private readonly AdapterWorkload _adapters;
    private readonly ReadWorkload _reads;

    public StressClient(StressRun run, HttpClient http, int index, Random rng)
    {
        _run = run;
        _rng = rng;
        _channel = new ClientChannel(run, http, index);
        var bits = new OwnMaskBits(index);
        _masks = new MaskWorkload(_channel, bits, rng);
        _devices = new DeviceWorkload(_channel, rng);
        _adapters = new AdapterWorkload(_channel, rng);
        _reads = new ReadWorkload(_channel, bits, _devices, rng);
    }

    public int Index => _channel.Index;

    public long Requests => _channel.Requests;

    private bool IsLast => Index == StressRun.Clients - 1;

    public Task SetupAsync() => _devices.SetupAsync();

    public async Task RunAsync(DateTime deadline)
    {
        try
        {
            while (DateTime.UtcNow < deadline && _run.Failures.Count < 100)
            {
                var roll = _rng.Next(100);
                var dryRun = _rng.Chance(0.08);
                if (IsLast && _rng.Chance(0.1))
                {
                    // The last client also owns apmask bit 250, which the test driver objects to.
                    roll = 19;
                }
                await OperateAsync(roll, dryRun);
            }
        }
        catch (Exception ex)
        {
            _run.Failures.Fail($"client {Index} crashed: {ex}");
        }
    }

    private async Task OperateAsync(int roll, bool dryRun)
    {
        switch (roll)
        {
            case < 12: await _masks.ToggleApmaskAsync(dryRun); break;
            case < 16: await _masks.ToggleAqmaskAsync(dryRun); break;
            case < 19: await _masks.InUseProbeAsync(dryRun); break;
            case < 21 when IsLast: await _masks.ToggleObjectedAsync(); break;
            case < 21: await _reads.ReadAsync(); break;
            case < 34: await _devices.AssignAsync(_devices.Own, dryRun); break;
            case < 40: await _devices.ReplaceConfigAsync(_devices.Own, dryRun); break;
            case < 46: await _devices.GuestAsync(dryRun); break;
            case < 52: await _devices.TemporaryDeviceAsync(dryRun); break;
            case < 55 when _adapters.OwnsAnAdapter: await _adapters.ConfigureAsync(dryRun); break;
            case < 55: await _devices.AssignAsync(_devices.Own, dryRun); break;
            default: await _reads.ReadAsync(); break;
        }
    }
}
