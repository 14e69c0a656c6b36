namespace ApManager.Api.Problems;

/// <summary>One problem type ApManager answers with: its relative URI name, title, status, explanation and body class.</summary>
public sealed record ProblemType(string Name, string Title, int Status, string Description, Type Body)
{
    public string Uri => $"/problems/{Name}";
}

/// <summary>Every problem type, served as documentation at <c>GET /problems/{name}</c>.</summary>
public static class ProblemCatalog
{
    public static readonly ProblemType InvalidMask = new("invalid-mask", "Invalid mask write", 400,
        "The mask text does not parse the way the kernel's apmask/aqmask store would parse it. `errno` is EINVAL for a grammar error " +
        "(or E2BIG for more than 4096 bytes) and `position` is the 0-based byte index of the first rejected character. Nothing changed.", typeof(InvalidMaskProblem));

    public static readonly ProblemType QueuesInUse = new("queues-in-use", "AP queues are in use", 409,
        "The mask change would give the host's default drivers AP queues that a driver's in_use callback reports as in use " +
        "(the kernel answers EBUSY). `offendingApqns` lists every such APQN with the refusing driver, the matrix device that holds it " +
        "and that device's guest. Unassign the APQNs from the matrix devices first. Nothing changed.", typeof(QueuesInUseProblem));

    public static readonly ProblemType InUseCheckFailed = new("in-use-check-failed", "The in_use check failed", 500,
        "A driver's in_use callback failed while the change was checked. The change fails closed: nothing changed. The error is logged.", typeof(InUseCheckFailedProblem));

    public static readonly ProblemType VersionMismatch = new("version-mismatch", "Version mismatch", 412,
        "If-Match named a version other than the resource's current one: someone changed it since you read it. Read it again and retry. Nothing changed.", typeof(VersionMismatchProblem));

    public static readonly ProblemType NotFound = new("not-found", "Not found", 404,
        "No such resource: the adapter, queue, matrix device, problem type or route does not exist.", typeof(NotFoundProblem));

    public static readonly ProblemType IdOutOfRange = new("id-out-of-range", "Id out of range", 400,
        "An adapter or domain id is above the host's maximum (the kernel answers ENODEV). `ids` lists every offending id, `max` the maximum. Nothing changed.", typeof(IdOutOfRangeProblem));

    public static readonly ProblemType ApqnOwnedByHost = new("apqn-owned-by-host", "APQNs owned by the host", 409,
        "The assignment would give the matrix device APQNs that the host's default drivers own (apmask and aqmask bits set; the kernel answers EADDRNOTAVAIL). " +
        "`offendingApqns` lists every such APQN. Clear the bits in apmask or aqmask first. Nothing changed.", typeof(ApqnOwnedByHostProblem));

    public static readonly ProblemType ApqnConflict = new("apqn-conflict", "APQNs held by another matrix device", 409,
        "The assignment would give the matrix device APQNs that another matrix device already holds (the kernel answers EADDRINUSE). " +
        "`offendingApqns` lists every such APQN with the other device and its guest. Nothing changed.", typeof(ApqnConflictProblem));

    public static readonly ProblemType MdevExists = new("mdev-exists", "Matrix device exists", 409,
        "A matrix device with this UUID exists already. Nothing changed.", typeof(MdevExistsProblem));

    public static readonly ProblemType MdevInUse = new("mdev-in-use", "Matrix device in use", 409,
        "A guest is attached to the matrix device: detach it before deleting the device or attaching another guest. Nothing changed.", typeof(MdevInUseProblem));

    public static readonly ProblemType GuestHasMdev = new("guest-has-mdev", "Guest holds another matrix device", 409,
        "The guest is attached to another matrix device; a guest holds at most one (the kernel answers EPERM). Nothing changed.", typeof(GuestHasMdevProblem));

    public static readonly ProblemType MdevLimit = new("mdev-limit", "Matrix device limit reached", 409,
        "The configured maximum number of matrix devices exists already (ApManager:MaxMdevs). Delete one first. Nothing changed.", typeof(LimitProblem));

    public static readonly ProblemType InvalidRequest = new("invalid-request", "Invalid request", 400,
        "A path value or a field breaks a rule: an APQN not written as aa.dddd, an adapter id that is not 0..255, a UUID that is not 8-4-4-4-12, " +
        "a name too long or with forbidden characters. `errors` says which. Nothing changed.", typeof(InvalidRequestProblem));

    public static readonly ProblemType InvalidBody = new("invalid-body", "Malformed request body", 400,
        "The body is not JSON of the documented shape: malformed JSON, a wrong type, an unknown member or a required member missing. Nothing changed.", typeof(ApProblem));

    public static readonly ProblemType InvalidQuery = new("invalid-query", "Invalid query parameter", 400,
        "A query parameter is unknown or its value is not one the call accepts. `parameter` and `value` say which. Nothing changed.", typeof(InvalidQueryProblem));

    public static readonly ProblemType UnsupportedMediaType = new("unsupported-media-type", "Unsupported media type", 415,
        "The body's Content-Type is not one the call accepts (application/json; mask writes also take text/plain). Nothing changed.", typeof(UnsupportedMediaTypeProblem));

    public static readonly ProblemType PayloadTooLarge = new("payload-too-large", "Request body too large", 413,
        "The body exceeds the call's size limit. Nothing changed.", typeof(LimitProblem));

    public static readonly ProblemType MethodNotAllowed = new("method-not-allowed", "Method not allowed", 405,
        "The route exists but not for this HTTP method. The Allow header lists the methods it takes.", typeof(ApProblem));

    public static readonly ProblemType BadRequest = new("bad-request", "Bad request", 400,
        "The request could not be read (malformed HTTP, bad headers). Nothing changed.", typeof(ApProblem));

    public static readonly ProblemType StorageUnavailable = new("storage-unavailable", "Storage unavailable", 503,
        "The change could not be written to the durable store (disk full, I/O error). It was not made and nothing changed; retry once the store is writable.", typeof(ApProblem));

    public static readonly ProblemType Unauthenticated = new("unauthenticated", "Authentication required", 401,
        "No valid credential was sent. Send 'Authorization: Bearer <key>' with an API key (admin tooling) or a JWT from the configured identity provider (dashboards).", typeof(ApProblem));

    public static readonly ProblemType Forbidden = new("forbidden", "Forbidden", 403,
        "The caller is authenticated but its role does not allow this call: viewer may read, operator may also manage matrix devices and guests, admin may do everything (masks, adapters, import).", typeof(ForbiddenProblem));

    public static readonly ProblemType RateLimited = new("rate-limited", "Too many requests", 429,
        "This caller sent more changes than its rate limit allows. Wait the number of seconds in Retry-After and retry. Nothing changed.", typeof(RateLimitedProblem));

    public static readonly ProblemType AdapterDeconfigured = new("adapter-deconfigured", "Adapter deconfigured", 409,
        "The adapter (or the queue) is deconfigured or check-stopped, so it cannot be set online (the kernel answers ENODEV). " +
        "`adapter` names it, `apqn` the queue when a queue was addressed, `checkstopped` says which. Configure the adapter first. Nothing changed.",
        typeof(AdapterDeconfiguredProblem));

    public static readonly ProblemType AdapterOffline = new("adapter-offline", "Adapter offline", 400,
        "A queue can be set online only while its adapter is online (the kernel answers EINVAL). Set the adapter online first. Nothing changed.",
        typeof(AdapterOfflineProblem));

    public static readonly ProblemType NoOnlineSwitch = new("no-online-switch", "Queue has no online switch", 409,
        "Only queues bound to the host's zcrypt driver (cex4queue) have an online switch; this one is bound to vfio_ap or to no driver " +
        "(there is no online file: ENOENT). `driver` says which. Nothing changed.", typeof(NoOnlineSwitchProblem));

    public static readonly ProblemType GuestManagedByLibvirt = new("guest-managed-by-libvirt", "Guest managed by libvirt", 409,
        "On a real host the guest of a matrix device is the libvirt domain that uses it as a vfio-ap hostdev: start, stop or edit the " +
        "domain (virsh) instead. ApManager shows it and follows it. Nothing changed.", typeof(MdevProblem));

    public static readonly ProblemType UnsupportedOnHost = new("unsupported-on-host", "Not available on this host", 409,
        "The call works on the simulated host only (an import in one step, a reboot): a real host changes one attribute per write. " +
        "`operation` names the call. Nothing changed.", typeof(UnsupportedOnHostProblem));

    public static readonly ProblemType HostBusy = new("host-busy", "Host busy", 503,
        "Another tool (chzdev, mdevctl's ap-check) holds the s390-tools configuration lock and did not release it in time. " +
        "`lockFile` names the lock. Nothing changed; retry shortly.", typeof(HostBusyProblem));

    public static readonly ProblemType HostUnavailable = new("host-unavailable", "Host unavailable", 503,
        "The host's AP bus cannot be read under `Host:Root` (vfio_ap or the AP bus not loaded, sysfs not mounted, no permission): " +
        "nothing was judged or written. `reason` says what failed; GET /api/host and /health/ready show it too. Nothing changed.", typeof(HostUnavailableProblem));

    public static readonly ProblemType HostRefused = new("host-refused", "The host refused the write", 409,
        "The host refused a write that ApManager's model accepted: its kernel, because the host changed in between or knows a rule the model does not; " +
        "or its file system, for the files that survive a reboot (`/etc/mdevctl.d`, `/etc/udev/rules.d`: a read-only mount or sandbox, a full disk). " +
        "`errno` is the host's answer, `attribute` and `written` say what was written (for a file: its path and text; empty for a deletion). " +
        "Read the state again and retry. Nothing changed, except that an import refused part-way may have written some files: its audit record's `after` shows what is on disk.", typeof(HostRefusedProblem));

    public static readonly ProblemType DefinitionConflict = new("definition-conflict", "Definitions conflict after a reboot", 409,
        "The definition or persistent-mask change would, after a reboot, give an autostart matrix device's queues to the host (apmask and aqmask bits set) " +
        "or make two autostart definitions share an APQN (mdevctl's ap-check and chzdev refuse the same). `offendingApqns` lists every such APQN with " +
        "the definition, the other definition that holds it (null when the persistent masks give it to the host) and the guest of the active device " +
        "with that UUID; `definitions` lists every definition involved. Nothing changed.", typeof(DefinitionConflictProblem));

    public static readonly ProblemType InvalidDefinition = new("invalid-definition", "Invalid definition", 400,
        "The definition body breaks a rule: `start` not auto or manual, an id outside 0..255, a usage domain missing while control domains are given. " +
        "`errors` says which member. Nothing changed.", typeof(InvalidRequestProblem));

    public static readonly ProblemType InternalError = new("internal-error", "Internal error", 500,
        "An unexpected error; it is logged with the traceId. Nothing acknowledged was lost.", typeof(ApProblem));

    public static IReadOnlyList<ProblemType> All { get; } =
    [
        InvalidMask, QueuesInUse, InUseCheckFailed, VersionMismatch, NotFound, IdOutOfRange, ApqnOwnedByHost, ApqnConflict,
        MdevExists, MdevInUse, GuestHasMdev, MdevLimit, InvalidRequest, InvalidBody, InvalidQuery, UnsupportedMediaType,
        PayloadTooLarge, MethodNotAllowed, BadRequest, StorageUnavailable, Unauthenticated, Forbidden, RateLimited, AdapterDeconfigured,
        AdapterOffline, NoOnlineSwitch, GuestManagedByLibvirt, UnsupportedOnHost, HostBusy, HostUnavailable, HostRefused, DefinitionConflict, InvalidDefinition,
        InternalError,
    ];

    private static readonly Dictionary<string, ProblemType> ByName = All.ToDictionary(p => p.Name, StringComparer.Ordinal);

    public static ProblemType? Find(string name) => ByName.GetValueOrDefault(name);

    /// <summary>The type for a status code that routing or the server produced on its own.</summary>
    public static ProblemType ForStatus(int status) => status switch
    {
        401 => Unauthenticated,
        403 => Forbidden,
        404 => NotFound,
        429 => RateLimited,
        405 => MethodNotAllowed,
        413 => PayloadTooLarge,
        415 => UnsupportedMediaType,
        >= 500 => InternalError,
        _ => BadRequest,
    };
}
