using System.Net;
using System.Text.RegularExpressions;

namespace ApManager.Browser.Tests;

/// <summary>Without a browser: the dashboard's files are served at / under the strict CSP, with no inline code and nothing from the network.</summary>
public partial class StaticDashboardTests
{
    [Fact]
    public async Task TheDashboardIsServedAtTheRootUnderTheStrictCspAndSwaggerStays()
    {
        await using var server = DashboardServer.Start();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        var root = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("text/html", root.Content.Headers.ContentType?.MediaType);
        Assert.Equal("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'", root.Headers.GetValues("Content-Security-Policy").Single());
        var html = await root.Content.ReadAsStringAsync();

        // The CSP allows no inline script or style: every script has a src, no style attributes or handlers.
        Assert.DoesNotMatch(InlineScript(), html);
        Assert.DoesNotMatch(StyleOrHandlerAttribute(), html);
        Assert.DoesNotContain("<style", html, StringComparison.OrdinalIgnoreCase);

        foreach (var file in new[] { "/app.js", "/app.css", "/favicon.svg" })
        {
            var response = await http.GetAsync(file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(NetworkUrl(), text);
        }
        Assert.DoesNotMatch(NetworkUrl(), html);

        // Swagger UI stays at /swagger; the dashboard needs no credential to load, the API does.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/bus")).StatusCode);
    }

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\s(style|on[a-z]+)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleOrHandlerAttribute();

    // Anything fetched from another host (a CDN, web fonts); the W3C SVG namespace is an identifier, not a fetch.
    [GeneratedRegex(@"(https?:)?//(?!www\.w3\.org/2000/svg)[a-z0-9.-]+\.[a-z]{2,}/", RegexOptions.IgnoreCase)]
    private static partial Regex NetworkUrl();
}
