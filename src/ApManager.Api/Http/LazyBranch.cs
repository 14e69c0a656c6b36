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
            // Built once under a lock; a build that throws is not kept, so the next request tries again.
            RequestDelegate? pipeline = null;
            var gate = new Lock();
            RequestDelegate Build()
            {
                lock (gate)
                {
                    if (pipeline is null)
                    {
                        var built = branch.New();
                        configure(built);
                        built.Run(next);
                        Volatile.Write(ref pipeline, built.Build());
                    }
                    return pipeline;
                }
            }
            return context => (Volatile.Read(ref pipeline) ?? Build())(context);
        }));
    }
}
