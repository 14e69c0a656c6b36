using ApManager.Api.Problems;

namespace ApManager.Api.Http;

/// <summary>Refuses query parameters an endpoint does not know, so a typo never silently does nothing.</summary>
public static class QueryGuard
{
    public static TBuilder AllowQuery<TBuilder>(this TBuilder builder, params string[] names) where TBuilder : IEndpointConventionBuilder
    {
        var allowed = new HashSet<string>(names, StringComparer.OrdinalIgnoreCase);
        builder.AddEndpointFilter(async (context, next) =>
        {
            foreach (var (key, values) in context.HttpContext.Request.Query)
            {
                if (!allowed.Contains(key))
                {
                    var known = allowed.Count == 0 ? "This call takes no query parameters." : $"Known parameters: {string.Join(", ", names)}.";
                    return ProblemFactory.InvalidQuery(context.HttpContext, key, values.ToString(), $"Unknown parameter. {known}");
                }
                if (values.Count > 1)
                {
                    return ProblemFactory.InvalidQuery(context.HttpContext, key, values.ToString(), "Give the parameter once.");
                }
            }
            return await next(context);
        });
        return builder;
    }
}
