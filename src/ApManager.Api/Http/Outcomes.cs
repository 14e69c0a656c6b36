using ApManager.Api.Problems;
using ApManager.Core.State;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Http;

/// <summary>The one way from a core outcome to an HTTP result: wait until durable, then the problem or the answer.</summary>
public static class Outcomes
{
    /// <summary>
    /// 503 when the store could not keep it; the refusal's problem (logged once) when refused;
    /// otherwise <paramref name="ok"/> of the value.
    /// </summary>
    public static async Task<Results<TResult, ProblemHttpResult>> ToResultAsync<T, TResult>(
        MutationRequest request, Outcome<T> outcome, Func<T, TResult> ok)
        where T : class
        where TResult : IResult
    {
        ArgumentNullException.ThrowIfNull(ok);
        return await ProblemAsync(request, outcome) is { } problem ? problem : ok(outcome.Value!);
    }

    /// <summary>Null once the outcome is durable and accepted; otherwise the 503 or the refusal's problem (logged once).</summary>
    public static async Task<ProblemHttpResult?> ProblemAsync<T>(MutationRequest request, Outcome<T> outcome) where T : class
    {
        var context = request.Context;
        if (await Durability.WaitAsync(context, outcome) is { } failed)
        {
            return failed;
        }
        if (outcome.IsOk)
        {
            return null;
        }
        if (RefusalLog.Write(RefusalLog.For(context), $"{context.Request.Method} {context.Request.Path}", outcome.Refusal, request.IsDryRun))
        {
            context.Items[RefusalLog.LoggedKey] = true;
        }
        return RefusalProblems.From(context, outcome.Refusal);
    }
}
