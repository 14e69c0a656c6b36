namespace ApManager.Api.Http;

/// <summary>
/// <c>HEAD</c> on every read: the same status and headers as <c>GET</c> (ETag, Link, Content-Type),
/// no body. Routes map both methods; this drops what the handler writes, whatever server runs it.
/// </summary>
public static class HeadRequests
{
    public static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    /// <summary>Maps a read for GET and HEAD.</summary>
    public static RouteHandlerBuilder MapRead(this IEndpointRouteBuilder routes, string pattern, Delegate handler) =>
        routes.MapMethods(pattern, GetAndHead, handler);

    public static IApplicationBuilder UseHeadRequests(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await next(context);
            return;
        }
        var body = context.Response.Body;
        context.Response.Body = Stream.Null;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }
    });
}
