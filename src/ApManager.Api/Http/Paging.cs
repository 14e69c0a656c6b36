using System.Globalization;
using ApManager.Api.Problems;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApManager.Api.Http;

/// <summary>
/// Keyset paging for list endpoints: <c>?after=&lt;last key&gt;&amp;limit=&lt;n&gt;</c>. A response never
/// grows without bound; when more items follow, a <c>Link: &lt;…&gt;; rel="next"</c> header says where.
/// </summary>
public static class Paging
{
    public const int DefaultLimit = 1000;
    public const int MaxLimit = 10000;

    public static bool TryLimit(HttpContext context, int? limit, out int value, out ProblemHttpResult? problem)
    {
        value = limit ?? DefaultLimit;
        problem = null;
        if (limit is < 1 or > MaxLimit)
        {
            problem = ProblemFactory.InvalidQuery(context, "limit", limit?.ToString(CultureInfo.InvariantCulture), $"Use 1..{MaxLimit} (default {DefaultLimit}).");
            return false;
        }
        return true;
    }

    /// <summary>Takes one page of an ordered sequence and sets the next link when more items follow.</summary>
    public static T[] Page<T>(HttpContext context, IEnumerable<T> ordered, int limit, Func<T, string> key)
    {
        var page = ordered.Take(limit + 1).ToArray();
        if (page.Length <= limit)
        {
            return page;
        }
        var query = context.Request.Query
            .Where(q => q.Key is not ("after" or "limit"))
            .Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value.ToString())}")
            .Append($"after={Uri.EscapeDataString(key(page[limit - 1]))}")
            .Append($"limit={limit.ToString(CultureInfo.InvariantCulture)}");
        context.Response.Headers.Link = $"<{context.Request.PathBase}{context.Request.Path}?{string.Join('&', query)}>; rel=\"next\"";
        return page[..limit];
    }
}
