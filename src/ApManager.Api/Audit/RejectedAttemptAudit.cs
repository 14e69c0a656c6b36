using ApManager.Api.Http;
using ApManager.Api.Problems;
using ApManager.Core.State;

namespace ApManager.Api.Audit;

/// <summary>
/// Puts mutation attempts that never reached the core (malformed body, unsupported media type,
/// oversized body, bad path value, unknown route, 401, 403, 429) into the audit trail too.
/// </summary>
public static class RejectedAttemptAudit
{
    public static WebApplication UseRejectedAttemptAudit(this WebApplication app)
    {
        var rejected = app.Services.GetRequiredService<ApSystem>().RejectedAttempts;
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("ApManager.Audit");
        // Reads pass straight through (no state machine on the path dashboards poll).
        app.Use((context, next) => IsRead(context.Request.Method) ? next(context) : AuditAsync(context, next));
        return app;

        async Task AuditAsync(HttpContext context, RequestDelegate next)
        {
            await next(context);
            var method = context.Request.Method;
            if (context.Response.StatusCode < 400 || context.Items.ContainsKey(Durability.AuditedKey))
            {
                return;
            }
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            var problem = context.Items.TryGetValue(ProblemSetup.ProblemTypeKey, out var type) && type is string t
                ? t.Replace("/problems/", string.Empty, StringComparison.Ordinal)
                : ProblemCatalog.ForStatus(context.Response.StatusCode).Name;
            var path = context.Request.Path.Value ?? string.Empty;
            var input = $"{context.Request.ContentType ?? "no content type"}, {context.Request.ContentLength?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown"} bytes";
            // Not awaited: the answer is a refusal, nothing was acknowledged; the record rides the next group commit.
            _ = rejected.Record($"{method} {route}", path.Length > 200 ? path[..200] : path, input, Durability.Actor(context), problem)
                .ContinueWith(task => logger.LogWarning(task.Exception, "Could not record a rejected attempt in the audit trail"),
                    CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private static bool IsRead(string method) => HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method);
}
