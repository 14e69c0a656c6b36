using ApManager.Api.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Problems;

/// <summary>Serves the explanation of each problem type at its type URI.</summary>
public static class ProblemEndpoints
{
    /// <summary>A problem type's documentation.</summary>
    public sealed record ProblemTypeDto(string Type, string Title, int Status, string Description);

    public static IEndpointRouteBuilder MapProblemEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/problems").WithTags("Problems");
        group.MapMethods("/", HeadRequests.GetAndHead, () => TypedResults.Ok(ProblemCatalog.All.Select(ToDto).ToArray()))
            .WithName("ListProblemTypes")
            .WithSummary("List every problem type")
            .WithDescription("Every problem type ApManager answers with: its URI (the `type` of an error body), title, status and explanation. Anonymous.")
            .AllowQuery();
        group.MapMethods("/{name}", HeadRequests.GetAndHead, Get)
            .WithName("GetProblemType")
            .WithSummary("Explain one problem type")
            .WithDescription("The `type` of every error body is a relative URI under /problems/; this explains it. JSON by default; text/plain when the Accept header asks for it.")
            .Produces<ProblemTypeDto>(StatusCodes.Status200OK, "application/json", "text/plain")
            .ProducesProblemType(ProblemCatalog.NotFound)
            .AllowQuery();
        return routes;
    }

    private static ProblemTypeDto ToDto(ProblemType p) => new(p.Uri, p.Title, p.Status, p.Description);

    public static Results<Ok<ProblemTypeDto>, ContentHttpResult, ProblemHttpResult> Get(HttpContext context, string name)
    {
        if (ProblemCatalog.Find(name) is not { } type)
        {
            return ProblemFactory.NotFoundProblem(context, "problem type", name);
        }
        var accept = context.Request.Headers.Accept.ToString();
        if (accept.Contains("text/plain", StringComparison.OrdinalIgnoreCase) && !accept.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Text($"{type.Uri} — {type.Title} (HTTP {type.Status})\n\n{type.Description}\n", "text/plain; charset=utf-8");
        }
        return TypedResults.Ok(ToDto(type));
    }
}
