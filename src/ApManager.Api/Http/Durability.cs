using ApManager.Api.Problems;
using ApManager.Core.Journal;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Http;

/// <summary>Nothing is answered before it is durable: every handler awaits its outcome's commit here.</summary>
public static class Durability
{
    /// <summary>Null when the attempt is durable; a 503 problem when the store refused the write (nothing changed).</summary>
    public static async Task<ProblemHttpResult?> WaitAsync<T>(HttpContext context, Outcome<T> outcome) where T : class
    {
        context.Items[AuditedKey] = true;
        try
        {
            await outcome.Durable;
            return null;
        }
        catch (StorageException ex)
        {
            return ProblemFactory.StorageUnavailable(context, ex.Message);
        }
    }

    /// <summary>Set once the core has recorded the attempt; the rejection auditor skips such requests.</summary>
    public const string AuditedKey = "apmanager.audited";

    /// <summary>The caller recorded in the audit trail.</summary>
    public static string Actor(HttpContext context) => context.User.Identity?.IsAuthenticated == true
        ? context.User.Identity.Name ?? "authenticated"
        : "anonymous";
}
