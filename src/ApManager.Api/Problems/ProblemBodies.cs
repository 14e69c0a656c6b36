using ApManager.Api.Http;
using Microsoft.AspNetCore.Mvc;

namespace ApManager.Api.Problems;

/// <summary>
/// The body of every ApManager problem (RFC 9457): <c>type</c> (a relative URI under /problems/;
/// GET it for an explanation), <c>title</c>, <c>status</c>, <c>detail</c>, <c>instance</c> (the
/// request path) and <c>traceId</c> (correlates with the service's log). Each problem type adds
/// exactly the members its own body class declares.
/// </summary>
/// <remarks><c>traceId</c> travels as an extension member, as the framework writes it on every problem.</remarks>
public class ApProblem : ProblemDetails;

/// <summary>invalid-mask: the mask text does not parse.</summary>
public sealed class InvalidMaskProblem : ApProblem
{
    /// <summary>apmask or aqmask.</summary>
    public required string Attribute { get; init; }

    /// <summary>The mask text received.</summary>
    public required string Input { get; init; }

    /// <summary>0-based byte index of the first rejected character (4096 for E2BIG).</summary>
    public required int Position { get; init; }

    /// <summary>EINVAL, or E2BIG for more than 4096 bytes.</summary>
    public required string Errno { get; init; }
}

/// <summary>queues-in-use: the in_use protocol objected (EBUSY).</summary>
public sealed class QueuesInUseProblem : ApProblem
{
    /// <summary>apmask, aqmask or apmask,aqmask.</summary>
    public required string Attribute { get; init; }

    /// <summary>The mask text received when one mask was written; null for a PATCH of both.</summary>
    public required string? Input { get; init; }

    /// <summary>The text received for each mask written.</summary>
    public required IReadOnlyDictionary<string, string> Inputs { get; init; }

    /// <summary>EBUSY.</summary>
    public required string Errno { get; init; }

    /// <summary>Every offending APQN, sorted by adapter, domain, driver.</summary>
    public required IReadOnlyList<OffenderDto> OffendingApqns { get; init; }
}

/// <summary>in-use-check-failed: a driver's in_use callback failed (fail closed).</summary>
public sealed class InUseCheckFailedProblem : ApProblem
{
    /// <summary>The mask attribute the change wrote.</summary>
    public required string Attribute { get; init; }

    /// <summary>The driver whose callback failed.</summary>
    public required string Driver { get; init; }
}

/// <summary>version-mismatch: If-Match named no current version.</summary>
public sealed class VersionMismatchProblem : ApProblem
{
    /// <summary>The resource's current version.</summary>
    public required long CurrentVersion { get; init; }

    /// <summary>The resource's current ETag.</summary>
    public required string CurrentETag { get; init; }
}

/// <summary>not-found: no such resource.</summary>
public sealed class NotFoundProblem : ApProblem
{
    /// <summary>What was looked up: adapter, queue, matrix device, problem type.</summary>
    public required string Kind { get; init; }

    /// <summary>The id looked up.</summary>
    public required string Id { get; init; }
}

/// <summary>Ids of one kind that are out of range.</summary>
public sealed record IdRangeDto(string Kind, IReadOnlyList<long> Ids, int Max);

/// <summary>id-out-of-range: ids above the host maximum (ENODEV).</summary>
public sealed class IdOutOfRangeProblem : ApProblem
{
    /// <summary>The first kind with offending ids: adapter, domain or control-domain.</summary>
    public required string Kind { get; init; }

    /// <summary>Every offending id of that kind.</summary>
    public required IReadOnlyList<long> Ids { get; init; }

    /// <summary>The host's maximum id of that kind.</summary>
    public required int Max { get; init; }

    /// <summary>ENODEV.</summary>
    public required string Errno { get; init; }

    /// <summary>Every offending id, grouped by kind.</summary>
    public required IReadOnlyList<IdRangeDto> OutOfRange { get; init; }
}

/// <summary>The members of apqn-owned-by-host and apqn-conflict: the device, the errno and every offending APQN.</summary>
public abstract class DeviceApqnsProblem : ApProblem
{
    /// <summary>The matrix device the refused call addressed (for an import: the first device refused).</summary>
    public required string Mdev { get; init; }

    /// <summary>EADDRNOTAVAIL (owned by the host) or EADDRINUSE (held by another device).</summary>
    public required string Errno { get; init; }

    /// <summary>Every offending APQN, sorted.</summary>
    public required IReadOnlyList<OffenderDto> OffendingApqns { get; init; }
}

/// <summary>apqn-owned-by-host: APQNs the host's default drivers own (EADDRNOTAVAIL).</summary>
public sealed class ApqnOwnedByHostProblem : DeviceApqnsProblem;

/// <summary>apqn-conflict: APQNs another matrix device holds (EADDRINUSE).</summary>
public sealed class ApqnConflictProblem : DeviceApqnsProblem;

/// <summary>mdev-exists: a matrix device with this UUID exists.</summary>
public sealed class MdevExistsProblem : ApProblem
{
    public required string Mdev { get; init; }
}

/// <summary>mdev-in-use: a guest uses the matrix device.</summary>
public sealed class MdevInUseProblem : ApProblem
{
    public required string Mdev { get; init; }

    /// <summary>The guest using it.</summary>
    public required string Guest { get; init; }
}

/// <summary>guest-has-mdev: the guest already holds another matrix device (EPERM).</summary>
public sealed class GuestHasMdevProblem : ApProblem
{
    public required string Guest { get; init; }

    /// <summary>The device the guest holds.</summary>
    public required string Mdev { get; init; }

    /// <summary>EPERM.</summary>
    public required string Errno { get; init; }
}

/// <summary>mdev-limit and payload-too-large: the limit that was reached.</summary>
public sealed class LimitProblem : ApProblem
{
    /// <summary>Matrix devices (mdev-limit) or bytes (payload-too-large).</summary>
    public required int Limit { get; init; }
}

/// <summary>invalid-request: a path value or a field breaks a rule.</summary>
public sealed class InvalidRequestProblem : ApProblem
{
    /// <summary>Messages by field.</summary>
    public required IReadOnlyDictionary<string, string[]> Errors { get; init; }
}

/// <summary>invalid-query: an unknown query parameter or a value the call does not accept.</summary>
public sealed class InvalidQueryProblem : ApProblem
{
    public required string Parameter { get; init; }

    /// <summary>The value received.</summary>
    public required string? Value { get; init; }
}

/// <summary>unsupported-media-type: the body's Content-Type is not accepted.</summary>
public sealed class UnsupportedMediaTypeProblem : ApProblem
{
    /// <summary>The media type received.</summary>
    public required string? ContentType { get; init; }
}

/// <summary>forbidden: the caller's role does not allow the call.</summary>
public sealed class ForbiddenProblem : ApProblem
{
    /// <summary>The least role the call needs.</summary>
    public required string RequiredRole { get; init; }
}

/// <summary>rate-limited: too many changes from this caller.</summary>
public sealed class RateLimitedProblem : ApProblem
{
    /// <summary>Seconds to wait (also sent as Retry-After).</summary>
    public required int RetryAfter { get; init; }
}

/// <summary>adapter-deconfigured: an online switch set on a deconfigured or check-stopped adapter or queue (ENODEV).</summary>
public sealed class AdapterDeconfiguredProblem : ApProblem
{
    public required int Adapter { get; init; }

    /// <summary>The queue addressed, or null for the adapter itself.</summary>
    public required string? Apqn { get; init; }

    /// <summary>True when check-stopped rather than deconfigured.</summary>
    public required bool Checkstopped { get; init; }

    /// <summary>ENODEV.</summary>
    public required string Errno { get; init; }
}

/// <summary>adapter-offline: a queue set online while its adapter is offline (EINVAL).</summary>
public sealed class AdapterOfflineProblem : ApProblem
{
    public required string Apqn { get; init; }

    public required int Adapter { get; init; }

    /// <summary>EINVAL.</summary>
    public required string Errno { get; init; }
}

/// <summary>no-online-switch: the queue is not bound to the host's zcrypt driver (ENOENT).</summary>
public sealed class NoOnlineSwitchProblem : ApProblem
{
    public required string Apqn { get; init; }

    /// <summary>The driver the queue is bound to (null = none).</summary>
    public required string? Driver { get; init; }

    /// <summary>ENOENT.</summary>
    public required string Errno { get; init; }
}

/// <summary>guest-managed-by-libvirt: names the matrix device addressed.</summary>
public sealed class MdevProblem : ApProblem
{
    public required string Mdev { get; init; }
}

/// <summary>unsupported-on-host: names the call a real host cannot do.</summary>
public sealed class UnsupportedOnHostProblem : ApProblem
{
    public required string Operation { get; init; }

    /// <summary>EOPNOTSUPP.</summary>
    public required string Errno { get; init; }
}

/// <summary>host-unavailable: why the host could not be read.</summary>
public sealed class HostUnavailableProblem : ApProblem
{
    /// <summary>What failed, e.g. the missing <c>sys/bus/ap</c> under the root.</summary>
    public required string Reason { get; init; }
}

/// <summary>host-busy: the s390-tools configuration lock was held by another tool.</summary>
public sealed class HostBusyProblem : ApProblem
{
    /// <summary>The lock file.</summary>
    public required string LockFile { get; init; }

    /// <summary>Seconds waited.</summary>
    public required double WaitedSeconds { get; init; }
}

/// <summary>host-refused: the host refused a write the model accepted.</summary>
public sealed class HostRefusedProblem : ApProblem
{
    /// <summary>The attribute written.</summary>
    public required string Attribute { get; init; }

    /// <summary>What was written.</summary>
    public required string Written { get; init; }

    /// <summary>The kernel's errno.</summary>
    public required string Errno { get; init; }
}

/// <summary>definition-conflict: every APQN that would break a boot rule.</summary>
public sealed class DefinitionConflictProblem : ApProblem
{
    /// <summary>EADDRINUSE when definitions share APQNs, EADDRNOTAVAIL when only the persistent masks give APQNs to the host.</summary>
    public required string Errno { get; init; }

    /// <summary>Every definition involved, sorted.</summary>
    public required IReadOnlyList<string> Definitions { get; init; }

    /// <summary>Every offending APQN, sorted by APQN, definition, other definition.</summary>
    public required IReadOnlyList<DefinitionOffenderDto> OffendingApqns { get; init; }
}

/// <summary>One APQN that breaks a boot rule.</summary>
/// <param name="Apqn">aa.dddd.</param>
/// <param name="Definition">The autostart definition that holds it.</param>
/// <param name="SharedWith">The other autostart definition that holds it; null when the persistent masks give it to the host.</param>
/// <param name="Reason">shared or owned-by-host.</param>
/// <param name="Guest">The guest of the active device with the definition's UUID, if any.</param>
/// <param name="SharedWithGuest">The guest of the active device with the other definition's UUID, if any.</param>
public sealed record DefinitionOffenderDto(string Apqn, string Definition, string? SharedWith, string Reason, string? Guest, string? SharedWithGuest);
