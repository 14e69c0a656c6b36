namespace ApManager.Api.Http;

/// <summary>
/// <c>HEAD</c> on every read: the same status and headers as <c>GET</c> (ETag, Link, Content-Type),
/// no body. Routes map both methods (<c>MapMethods(pattern, GetAndHead, handler)</c>, written at each call site so the request delegate generator can build the handler at compile time); this drops what the handler writes, whatever server runs it.
/// </summary>
public static class HeadRequests
{
    public static readonly string[] GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static IApplicationBuilder UseHeadRequests(this IApplicationBuilder app) => app.Use((context, next) =>
        HttpMethods.IsHead(context.Request.Method) ? WithoutBodyAsync(context, next) : next(context));

    private static async Task WithoutBodyAsync(HttpContext context, RequestDelegate next)
    {
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
    }
}
