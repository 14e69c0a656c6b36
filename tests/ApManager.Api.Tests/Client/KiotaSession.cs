using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ApManager.Client;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace ApManager.Api.Tests.Client;

/// <summary>The operations (operationIds of openapi/swagger.json) a client test drives; checked when its session ends.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class DrivesAttribute(params string[] operationIds) : Attribute
{
    public IReadOnlyList<string> OperationIds { get; } = operationIds;
}

/// <summary>
/// A Kiota client on a fresh test host, sent through Kiota's default middleware as a real caller's
/// would be. Every request is recorded, so the test can end by asserting that each operation it
/// declares with <see cref="DrivesAttribute"/> was really sent.
/// </summary>
public sealed class KiotaSession : IAsyncDisposable
{
    private readonly ConcurrentQueue<(string Method, string Path)> _sent = new();
    private readonly IReadOnlyList<string> _drives;

    private KiotaSession(IReadOnlyList<string> drives, IDictionary<string, string?>? settings)
    {
        _drives = drives;
        App = new ApManagerApplication(settings);
    }

    public ApManagerApplication App { get; }

    public ApManagerClient Admin => Client(ApManagerApplication.AdminKey);

    public ApManagerClient Operator => Client(ApManagerApplication.OperatorKey);

    public ApManagerClient Viewer => Client(ApManagerApplication.ViewerKey);

    public ApManagerClient Anonymous => Client(null);

    public static KiotaSession Start(object test, IDictionary<string, string?>? settings = null, [CallerMemberName] string name = "") =>
        new(test.GetType().GetMethod(name)?.GetCustomAttribute<DrivesAttribute>()?.OperationIds ?? [], settings);

    public ApManagerClient Client(string? key)
    {
        var http = App.CreateDefaultClient([new Recorder(_sent), .. KiotaClientFactory.CreateDefaultHandlers()]);
        http.DefaultRequestHeaders.Authorization = null;
        return ApManagerClients.Create(http, key);
    }

    /// <summary>The test's last line: each operation its <see cref="DrivesAttribute"/> names was really sent.</summary>
    public void AssertDroveEveryDeclaredOperation()
    {
        var missing = _drives.Where(id => !_sent.Any(s => Operations.Matches(id, s.Method, s.Path))).ToList();
        Assert.True(missing.Count == 0, $"declared as driven but never sent: {string.Join(", ", missing)}");
    }

    public ValueTask DisposeAsync() => App.DisposeAsync();

    private sealed class Recorder(ConcurrentQueue<(string, string)> sent) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            sent.Enqueue((request.Method.Method, request.RequestUri!.AbsolutePath));
            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>The operations of the committed document: operationId → method and path template.</summary>
public static class Operations
{
    public static string DocumentPath([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "..", "openapi", "swagger.json"));

    public static IReadOnlyDictionary<string, (string Method, string Path)> All { get; } = Load();

    public static bool Matches(string operationId, string method, string path)
    {
        var (m, template) = All[operationId];
        var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+}", "[^/]+") + "/?$";
        return string.Equals(m, method, StringComparison.OrdinalIgnoreCase) && Regex.IsMatch(path, pattern);
    }

    private static Dictionary<string, (string, string)> Load()
    {
        var doc = JsonNode.Parse(File.ReadAllText(DocumentPath()))!;
        return doc["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().Where(o => o.Value?["operationId"] is not null).Select(o => ((string)o.Value!["operationId"]!, (o.Key.ToUpperInvariant(), p.Key))))
            .ToDictionary(x => x.Item1, x => x.Item2);
    }
}
