using ApManager.Api.Configuration;
using ApManager.Core.Host;
using ApManager.Core.Host.Sysfs;
using ApManager.Core.State;

namespace ApManager.Api.Host;

/// <summary>
/// Follows changes others make to a real host (SPEC §11.4): reads it every <c>Host:PollSeconds</c>,
/// and at once when the kernel sends a uevent about the AP bus or vfio_ap. Each read commits what
/// changed as one step (actor <c>host</c>, action <c>host.changed</c>) with the usual events.
/// </summary>
public sealed class HostWatcher(ApSystem system, HostSettings settings, ILogger<HostWatcher> logger) : BackgroundService
{
    /// <summary>A burst of uevents (a mask change rebinds many queues) is read once, after it settles.</summary>
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(50);

    /// <summary>Whether uevents are received (null on a simulated host).</summary>
    public bool? Uevents { get; private set; }

    /// <summary>When the host was last read by the watcher.</summary>
    public DateTimeOffset? LastPoll { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        system.Host.Kind != HostKind.Sysfs
            ? Task.CompletedTask
            : Task.Factory.StartNew(() => Watch(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Watch(CancellationToken stop)
    {
        using var uevents = UeventListener.TryOpen(out var why);
        Uevents = uevents is not null;
        if (uevents is null)
        {
            logger.LogWarning("Not receiving uevents ({Reason}); changes made by others show within {PollSeconds} s", why, settings.Poll.TotalSeconds);
        }
        var due = DateTime.UtcNow + settings.Poll;
        while (!stop.IsCancellationRequested)
        {
            var wait = TimeSpan.FromTicks(Math.Clamp((due - DateTime.UtcNow).Ticks, 0, TimeSpan.TicksPerSecond));
            var signalled = false;
            if (uevents is not null)
            {
                signalled = uevents.Wait(wait);
            }
            else
            {
                stop.WaitHandle.WaitOne(wait);
            }
            if (signalled)
            {
                stop.WaitHandle.WaitOne(Settle);
                uevents!.Wait(TimeSpan.Zero);
            }
            if (signalled || DateTime.UtcNow >= due)
            {
                // A uevent says the kernel changed something: read it all. The poll looks first.
                Read(full: signalled);
                due = DateTime.UtcNow + settings.Poll;
            }
        }
    }

    private void Read(bool full)
    {
        try
        {
            system.Refresh(full);
            LastPoll = DateTimeOffset.UtcNow;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogError(ex, "Reading the host failed; trying again in {PollSeconds} s", settings.Poll.TotalSeconds);
        }
    }
}
