using System.Diagnostics;
using ApManager.Api.Problems;
using Serilog.Events;

namespace ApManager.Api.Operations;

/// <summary>
/// One line per request, as Serilog's request logging writes it ("HTTP {RequestMethod} {RequestPath}
/// responded {StatusCode} in {Elapsed:0.0000} ms", same properties and source), at the level that
/// says whether it needs a look: errors, and refused or rejected calls once each; successful calls
/// and refusals that have their own structured event at Debug.
/// </summary>
/// <remarks>
/// Written here rather than with <c>UseSerilogRequestLogging</c>: that middleware opens a
/// diagnostic context (an async-local) on every request for properties nothing here sets, which
/// showed as ~2.5% of the process's CPU and a set of execution-context copies per request in the
/// wrk profiles of GET /api/bus and the writes (docs/performance.md).
/// </remarks>
public static class RequestLog
{
    public const string SourceContext = "Serilog.AspNetCore.RequestLoggingMiddleware";

    private const string Template = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0000} ms";

    /// <summary>Outermost, so the logged status is the one the client got after problem mapping.</summary>
    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app, Serilog.ILogger logger)
    {
        var log = logger.ForContext(Serilog.Core.Constants.SourceContextPropertyName, SourceContext);
        return app.Use(async (context, next) =>
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            catch (Exception ex)
            {
                Write(log, context, start, StatusCodes.Status500InternalServerError, ex);
                throw;
            }
            // An exception the exception handler turned into a 500 rides on the line as well.
            Write(log, context, start, context.Response.StatusCode, context.Features.Get<Microsoft.AspNetCore.Diagnostics.IExceptionHandlerFeature>()?.Error);
        });
    }

    /// <summary>
    /// Errors; Debug for successes (reads are the bulk of the traffic, every accepted change has its
    /// audit record) and for refusals the core judged (their structured event is the one line); Information for the rest.
    /// </summary>
    internal static LogEventLevel LevelOf(HttpContext context, int status, Exception? ex) =>
        ex is not null || status >= 500 ? LogEventLevel.Error
        : status < 400 || context.Items.ContainsKey(RefusalLog.LoggedKey) ? LogEventLevel.Debug
        : LogEventLevel.Information;

    private static void Write(Serilog.ILogger log, HttpContext context, long start, int status, Exception? ex)
    {
        var level = LevelOf(context, status, ex);
        if (!log.IsEnabled(level))
        {
            return;
        }
        var elapsed = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var path = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>()?.Path;
        log.Write(level, ex, Template, context.Request.Method, string.IsNullOrEmpty(path) ? context.Request.Path.ToString() : path, status, elapsed);
    }
}
