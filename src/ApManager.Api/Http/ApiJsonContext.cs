using System.Text.Json;
using System.Text.Json.Serialization;
using ApManager.Api.Problems;

namespace ApManager.Api.Http;

/// <summary>
/// Compile-time JSON metadata for the answers on the hot paths (every problem body, the bus,
/// queue, adapter, device and driver answers). Put first in the HTTP JSON options' resolver chain,
/// so these types are written without reflection; anything not listed still goes through the
/// reflection resolver behind it, with the same web defaults and the same text.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(BusDto))]
[JsonSerializable(typeof(BusChangeDto))]
[JsonSerializable(typeof(QueueDto))]
[JsonSerializable(typeof(QueueDto[]))]
[JsonSerializable(typeof(QueueChangeDto))]
[JsonSerializable(typeof(AdapterDto))]
[JsonSerializable(typeof(AdapterDto[]))]
[JsonSerializable(typeof(AdapterChangeDto))]
[JsonSerializable(typeof(MdevDto))]
[JsonSerializable(typeof(MdevDto[]))]
[JsonSerializable(typeof(DriverDto[]))]
[JsonSerializable(typeof(InvalidMaskProblem))]
[JsonSerializable(typeof(QueuesInUseProblem))]
[JsonSerializable(typeof(InUseCheckFailedProblem))]
[JsonSerializable(typeof(VersionMismatchProblem))]
[JsonSerializable(typeof(NotFoundProblem))]
[JsonSerializable(typeof(IdOutOfRangeProblem))]
[JsonSerializable(typeof(ApqnOwnedByHostProblem))]
[JsonSerializable(typeof(ApqnConflictProblem))]
[JsonSerializable(typeof(MdevExistsProblem))]
[JsonSerializable(typeof(MdevInUseProblem))]
[JsonSerializable(typeof(GuestHasMdevProblem))]
[JsonSerializable(typeof(LimitProblem))]
[JsonSerializable(typeof(InvalidRequestProblem))]
[JsonSerializable(typeof(InvalidQueryProblem))]
[JsonSerializable(typeof(UnsupportedMediaTypeProblem))]
[JsonSerializable(typeof(ForbiddenProblem))]
[JsonSerializable(typeof(RateLimitedProblem))]
[JsonSerializable(typeof(AdapterDeconfiguredProblem))]
[JsonSerializable(typeof(AdapterOfflineProblem))]
[JsonSerializable(typeof(NoOnlineSwitchProblem))]
[JsonSerializable(typeof(MdevProblem))]
[JsonSerializable(typeof(UnsupportedOnHostProblem))]
[JsonSerializable(typeof(HostUnavailableProblem))]
[JsonSerializable(typeof(HostBusyProblem))]
[JsonSerializable(typeof(HostRefusedProblem))]
[JsonSerializable(typeof(DefinitionConflictProblem))]
[JsonSerializable(typeof(ApProblem))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
