using ApManager.Api.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApManager.Api.Tests.Http;

public class LazyBranchTests
{
    [Fact]
    public async Task TheBranchIsBuiltOnceByTheFirstRequestThatTakesItAndRejoinsThePipeline()
    {
        var builds = 0;
        var (pipeline, trail) = Pipeline(branch =>
        {
            Interlocked.Increment(ref builds);
            branch.Use(next => context =>
            {
                Trail(context).Add("branch");
                return next(context);
            });
        });

        await pipeline(Request("/other", trail));
        Assert.Equal(0, builds);
        Assert.Equal(["main"], trail["/other"]);

        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => Task.Run(() => pipeline(Request($"/branch/{i}", trail)))));
        await pipeline(Request("/branch/again", trail));

        Assert.Equal(1, builds);
        Assert.All(trail.Where(t => t.Key.StartsWith("/branch", StringComparison.Ordinal)), t => Assert.Equal(["branch", "main"], t.Value));
    }

    [Fact]
    public async Task ABranchThatEndsTheRequestDoesNotReachThePipelineBehindIt()
    {
        var (pipeline, trail) = Pipeline(branch => branch.Run(context =>
        {
            Trail(context).Add("answered");
            return Task.CompletedTask;
        }));

        await pipeline(Request("/branch", trail));

        Assert.Equal(["answered"], trail["/branch"]);
    }

    [Fact]
    public async Task ABuildThatFailsIsNotKeptTheNextRequestBuildsAgain()
    {
        var builds = 0;
        var (pipeline, trail) = Pipeline(branch =>
        {
            if (Interlocked.Increment(ref builds) == 1)
            {
                throw new InvalidOperationException("first build fails");
            }
        });

        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline(Request("/branch/1", trail)));
        await pipeline(Request("/branch/2", trail));
        await pipeline(Request("/branch/3", trail));

        Assert.Equal(2, builds);
        Assert.Equal(["main"], trail["/branch/3"]);
    }

    private static (RequestDelegate Pipeline, Dictionary<string, List<string>> Trail) Pipeline(Action<IApplicationBuilder> configure)
    {
        var app = new ApplicationBuilder(new ServiceCollection().BuildServiceProvider());
        app.UseWhenFirstNeeded(context => context.Request.Path.StartsWithSegments("/branch"), configure);
        app.Run(context =>
        {
            Trail(context).Add("main");
            return Task.CompletedTask;
        });
        return (app.Build(), []);
    }

    private static DefaultHttpContext Request(string path, Dictionary<string, List<string>> trail)
    {
        var context = new DefaultHttpContext { Request = { Path = path } };
        lock (trail)
        {
            trail[path] = [];
            context.Items["trail"] = trail[path];
        }
        return context;
    }

    private static List<string> Trail(HttpContext context) => (List<string>)context.Items["trail"]!;
}
