using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Http;

/// <summary>
/// A call whose real answer is 204 answers 204 on a dry run too (what the real call would return),
/// so generated clients see one success shape; the empty body cannot say <c>"dryRun": true</c>, this header does.
/// </summary>
public static class DryRuns
{
    public const string HeaderName = "ApManager-Dry-Run";

    public static NoContent NoContent(MutationRequest request)
    {
        if (request.IsDryRun)
        {
            request.Context.Response.Headers[HeaderName] = "true";
        }
        return TypedResults.NoContent();
    }
}
