using ApManager.Api.Access;
using ApManager.Api.Configuration;
using ApManager.Api.Http;
using ApManager.Core.Host;
using ApManager.Core.Host.Sysfs;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;
using ApManager.Api.OpenApi;

namespace ApManager.Api.Host;

/// <summary>Which host ApManager manages and what it reports of itself.</summary>
public static class HostEndpoints
{
    /// <summary>
    /// The host: <c>simulated</c> or <c>sysfs</c>; for a real host its root, poll interval, whether
    /// uevents arrive, whether it can be read, the last read and the s390-tools lock; for both the
    /// configuration (QCI: id maxima, adapters, usage and control domains), the registered drivers,
    /// vfio_ap's features and how many more matrix devices it allows.
    /// </summary>
    public sealed record HostDto(
        string Mode,
        string? Root,
        double? PollSeconds,
        bool? Uevents,
        bool Available,
        string? Unavailable,
        DateTimeOffset? LastRead,
        string? LockFile,
        int MaxAdapterId,
        int MaxDomainId,
        IReadOnlyList<int> Adapters,
        IReadOnlyList<int> UsageDomains,
        IReadOnlyList<int> ControlDomains,
        IReadOnlyList<string> Drivers,
        IReadOnlyList<string> VfioApFeatures,
        int AvailableInstances,
        long Version);

    public static IEndpointRouteBuilder MapHostEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/host").WithTags("Host").Read().MapMethods("/", HeadRequests.GetAndHead, Get)
            .WithName("GetHost")
            .SendsETag()
            .WithSummary("Which host is managed: the simulated one or this machine's AP bus")
            .WithDescription("`mode` is `simulated` (the demo and test host) or `sysfs` (a real IBM Z / LinuxONE host read and written through sysfs). For a real host: the root of its paths, how often it is read, whether the kernel's uevents arrive, whether the AP bus can be read now and when it last was, and the s390-tools lock file. For both: the host's configuration (id maxima, adapters, usage and control domains), drivers, vfio_ap's features and the matrix devices it still allows.")
            .AllowQuery();
        return routes;
    }

    public static Ok<HostDto> Get(HttpContext context, ApSystem system, HostSettings settings, HostWatcher watcher)
    {
        var s = system.Current;
        var topology = s.Topology;
        var sysfs = system.Host as SysfsHost;
        ETags.Set(context, s.Version);
        return TypedResults.Ok(new HostDto(
            system.Host.Kind == HostKind.Sysfs ? "sysfs" : "simulated",
            sysfs?.Layout.Root,
            sysfs is null ? null : settings.Poll.TotalSeconds,
            sysfs is null ? null : watcher.Uevents,
            sysfs?.Unavailable is null,
            sysfs?.Unavailable,
            sysfs?.LastRead,
            system.Host.LockName,
            topology.MaxAdapterId,
            topology.MaxDomainId,
            topology.AdapterIds.ToArray(),
            topology.UsageDomains.ToArray(),
            topology.ControlDomains.ToArray(),
            [.. s.Host.Drivers],
            [.. s.Host.VfioFeatures],
            s.Host.AvailableInstances,
            s.Version));
    }
}
