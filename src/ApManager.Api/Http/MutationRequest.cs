using ApManager.Core.State;
using Microsoft.AspNetCore.Mvc;

namespace ApManager.Api.Http;

/// <summary>What every mutating call takes besides its own input: <c>?dryRun=true</c> and <c>If-Match</c>.</summary>
public readonly record struct MutationRequest(
    HttpContext Context,
    [property: FromQuery(Name = "dryRun")] bool? DryRun,
    [property: FromHeader(Name = "If-Match")] string? IfMatch)
{
    /// <summary>The options the core takes: the precondition, the dry-run flag and the caller for the audit trail.</summary>
    public WriteOptions Options => new(ETags.ParseIfMatch(Context.Request.Headers.IfMatch), DryRun ?? false, Durability.Actor(Context));

    public bool IsDryRun => DryRun ?? false;
}
