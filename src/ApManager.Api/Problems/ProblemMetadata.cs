namespace ApManager.Api.Problems;

/// <summary>
/// The body of every ApManager problem (RFC 9457) with all extension members any problem type
/// uses; each type fills the members its documentation names.
/// </summary>
/// <param name="Type">Relative URI of the problem type, e.g. <c>/problems/queues-in-use</c>; GET it for an explanation.</param>
/// <param name="Title">Short summary of the problem type.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Detail">What happened in this occurrence.</param>
/// <param name="Instance">The request path.</param>
/// <param name="TraceId">Correlates with the service's log.</param>
/// <param name="Attribute">invalid-mask, queues-in-use: apmask, aqmask or apmask,aqmask.</param>
/// <param name="Input">invalid-mask, queues-in-use: the mask text received.</param>
/// <param name="Inputs">queues-in-use: the text received for each mask of a PATCH.</param>
/// <param name="Position">invalid-mask: 0-based byte index of the first rejected character.</param>
/// <param name="Errno">The errno the kernel would return: EINVAL, E2BIG, EBUSY, ENODEV, EADDRNOTAVAIL, EADDRINUSE, EPERM.</param>
/// <param name="OffendingApqns">queues-in-use, apqn-owned-by-host, apqn-conflict: every offending APQN, sorted.</param>
/// <param name="Mdev">The matrix device the refused call addressed, or the one holding the guest.</param>
/// <param name="Guest">mdev-in-use, guest-has-mdev: the guest.</param>
/// <param name="Kind">id-out-of-range: adapter, domain or control-domain; not-found: what was looked up.</param>
/// <param name="Ids">id-out-of-range: every offending id.</param>
/// <param name="Max">id-out-of-range: the host's maximum id.</param>
/// <param name="Id">not-found: the id looked up.</param>
/// <param name="Parameter">invalid-query: the query parameter.</param>
/// <param name="Value">invalid-query: its value.</param>
/// <param name="Errors">invalid-request: messages by field.</param>
/// <param name="CurrentVersion">version-mismatch: the resource's current version.</param>
/// <param name="CurrentETag">version-mismatch: the resource's current ETag.</param>
/// <param name="Limit">payload-too-large: bytes; mdev-limit: devices.</param>
/// <param name="ContentType">unsupported-media-type: the media type received.</param>
/// <param name="Driver">in-use-check-failed: the driver whose callback failed.</param>
/// <param name="OutOfRange">id-out-of-range: every offending id grouped by kind (adapter, domain, control-domain).</param>
/// <param name="RequiredRole">forbidden: the least role the call needs.</param>
/// <param name="RetryAfter">rate-limited: seconds to wait.</param>
public sealed record ApProblem(
    string Type,
    string Title,
    int Status,
    string? Detail,
    string? Instance,
    string? TraceId,
    string? Attribute = null,
    string? Input = null,
    IReadOnlyDictionary<string, string>? Inputs = null,
    int? Position = null,
    string? Errno = null,
    IReadOnlyList<Http.OffenderDto>? OffendingApqns = null,
    string? Mdev = null,
    string? Guest = null,
    string? Kind = null,
    IReadOnlyList<long>? Ids = null,
    int? Max = null,
    string? Id = null,
    string? Parameter = null,
    string? Value = null,
    IReadOnlyDictionary<string, string[]>? Errors = null,
    long? CurrentVersion = null,
    string? CurrentETag = null,
    int? Limit = null,
    string? ContentType = null,
    string? Driver = null,
    IReadOnlyList<IdRangeDto>? OutOfRange = null,
    string? RequiredRole = null,
    int? RetryAfter = null);

/// <summary>Ids of one kind that are out of range.</summary>
public sealed record IdRangeDto(string Kind, IReadOnlyList<long> Ids, int Max);

/// <summary>Endpoint metadata: this endpoint can answer with that problem type.</summary>
public sealed record ProblemTypeMetadata(ProblemType Type);

public static class ProblemMetadataExtensions
{
    /// <summary>Documents a problem type in OpenAPI (status, schema, description listing the types).</summary>
    public static RouteHandlerBuilder ProducesProblemType(this RouteHandlerBuilder builder, ProblemType type) => builder
        .Produces<ApProblem>(type.Status, "application/problem+json")
        .WithMetadata(new ProblemTypeMetadata(type));
}
