namespace ApManager.Api.Http;

/// <summary>
/// <c>UseWhen</c> whose branch is built on the first request that takes it. Swagger's and CORS's
/// middlewares take services in their <c>Invoke</c> methods, which the framework binds by
/// compiling expression trees when the pipeline is built; Swagger UI also opens its embedded
/// files. A service that nobody browses and no browser calls across origins never needs either:
/// built at start, they cost resident memory and start-up time on every host.
/// </summary>
public static class LazyBranch
{
    public static IApplicationBuilder UseWhenFirstNeeded(this IApplicationBuilder app, Func<HttpContext, bool> predicate, Action<IApplicationBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return app.UseWhen(predicate, branch => branch.Use(next =>
        {
            // Thread-safe: concurrent first requests build it once and all wait for it.
            var pipeline = new Lazy<RequestDelegate>(() =>
            {
                var built = branch.New();
                configure(built);
                built.Run(next);
                return built.Build();
            });
            return context => pipeline.Value(context);
        }));
    }
}
