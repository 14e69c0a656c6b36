using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ApManager.Browser.Tests;

/// <summary>Without a browser: the dashboard's files are served at / under the strict CSP, with no inline code and nothing from the network,
/// its script as native ES modules (no build step).</summary>
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

        // The one script is the entry module, loaded with type="module" and nothing inside the element.
        var script = Assert.Single(ScriptElement().Matches(html));
        Assert.Matches(ModuleAttribute(), script.Groups["attrs"].Value);
        Assert.Equal(EntryModule, ScriptSource().Match(script.Groups["attrs"].Value).Groups["src"].Value);
        Assert.True(string.IsNullOrWhiteSpace(script.Groups["body"].Value), $"inline code in {script.Value}");

        foreach (var file in new[] { "/app.css", "/favicon.svg" })
        {
            var response = await http.GetAsync(file);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(NetworkUrl(), text);
        }
        Assert.DoesNotMatch(NetworkUrl(), html);

        // Every module the entry reaches is served as JavaScript (browsers refuse a module script of any other type),
        // imports only relative .js paths (no bare npm specifiers, nothing from the network), and every .js file in
        // wwwroot is one of them: no leftover script, no module nobody loads.
        var modules = await ModuleGraphAsync(http);
        var webRoot = server.Services.GetRequiredService<IWebHostEnvironment>().WebRootPath;
        var onDisk = Directory.EnumerateFiles(webRoot, "*.js", SearchOption.AllDirectories)
            .Select(f => "/" + Path.GetRelativePath(webRoot, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
        Assert.Equal(onDisk, modules.Keys.Order(StringComparer.Ordinal));

        // Swagger UI stays at /swagger; the dashboard needs no credential to load, the API does.
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/swagger/index.html")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/bus")).StatusCode);
    }

    [Fact]
    public async Task TheModulesImportEachOtherWithoutCycles()
    {
        await using var server = DashboardServer.Start();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        var modules = await ModuleGraphAsync(http);

        // A module cycle runs one of its modules before the other is initialised; the dashboard's graph has none
        // (the few calls that go "up", such as a 401 signing out, are handed down from main.js instead).
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        void Visit(string module)
        {
            if (path.Contains(module))
            {
                Assert.Fail($"import cycle: {string.Join(" → ", path.SkipWhile(m => m != module).Append(module))}");
            }
            if (!done.Add(module))
            {
                return;
            }
            path.Add(module);
            foreach (var imported in modules[module])
            {
                Visit(imported);
            }
            path.RemoveAt(path.Count - 1);
        }
        Visit(EntryModulePath);
        Assert.Equal(modules.Count, done.Count);
    }

    private const string EntryModule = "js/main.js";
    private const string EntryModulePath = "/" + EntryModule;

    /// <summary>Fetches the entry module and everything it imports, transitively: module path → the paths it imports.</summary>
    private static async Task<Dictionary<string, string[]>> ModuleGraphAsync(HttpClient http)
    {
        var graph = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var pending = new Queue<string>([EntryModulePath]);
        while (pending.TryDequeue(out var module))
        {
            if (graph.ContainsKey(module))
            {
                continue;
            }
            var response = await http.GetAsync(module);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{module}: {(int)response.StatusCode}");
            Assert.Contains(response.Content.Headers.ContentType?.MediaType, JavaScriptTypes);
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotMatch(NetworkUrl(), text);
            var imports = new List<string>();
            foreach (Match import in ModuleImport().Matches(text))
            {
                var specifier = import.Groups["spec"].Value;
                Assert.True(
                    (specifier.StartsWith("./", StringComparison.Ordinal) || specifier.StartsWith("../", StringComparison.Ordinal)) &&
                        specifier.EndsWith(".js", StringComparison.Ordinal),
                    $"{module} imports '{specifier}': only relative paths to .js files load without a build step");
                var resolved = new Uri(new Uri(http.BaseAddress!, module), specifier).AbsolutePath;
                imports.Add(resolved);
                pending.Enqueue(resolved);
            }
            graph[module] = [.. imports.Distinct(StringComparer.Ordinal)];
        }
        return graph;
    }

    private static readonly string[] JavaScriptTypes = ["text/javascript", "application/javascript"];

    [GeneratedRegex(@"<script\b(?<attrs>[^>]*)>(?<body>.*?)</script\s*>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex ScriptElement();

    [GeneratedRegex(@"\btype\s*=\s*""module""", RegexOptions.IgnoreCase)]
    private static partial Regex ModuleAttribute();

    [GeneratedRegex(@"\bsrc\s*=\s*""(?<src>[^""]*)""", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();

    // Static imports and re-exports at the start of a line: import { a } from './a.js'; import './b.js'; export { c } from './c.js'.
    [GeneratedRegex(@"^(?:import\s*|(?:import|export)\b[^'""`;()]*?\bfrom\s*)['""](?<spec>[^'""]+)['""]", RegexOptions.Multiline)]
    private static partial Regex ModuleImport();

    [GeneratedRegex(@"<script(?![^>]*\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex(@"\s(style|on[a-z]+)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex StyleOrHandlerAttribute();

    // Anything fetched from another host (a CDN, web fonts); the W3C SVG namespace is an identifier, not a fetch.
    [GeneratedRegex(@"(https?:)?//(?!www\.w3\.org/2000/svg)[a-z0-9.-]+\.[a-z]{2,}/", RegexOptions.IgnoreCase)]
    private static partial Regex NetworkUrl();
}
