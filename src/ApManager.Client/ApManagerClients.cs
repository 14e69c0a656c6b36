using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace ApManager.Client;

/// <summary>Builds a ready <see cref="ApManagerClient"/>: base address, API key, and the HttpClient to send with.</summary>
public static class ApManagerClients
{
    /// <param name="httpClient">Sends the requests; its BaseAddress is the service (e.g. http://127.0.0.1:5080/).</param>
    /// <param name="apiKey">An API key, or null to call anonymously.</param>
    public static ApManagerClient Create(HttpClient httpClient, string? apiKey)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        IAuthenticationProvider auth = apiKey is null ? new AnonymousAuthenticationProvider() : new ApiKeyAuthentication(apiKey);
        var adapter = new HttpClientRequestAdapter(auth, httpClient: httpClient)
        {
            BaseUrl = httpClient.BaseAddress?.ToString().TrimEnd('/') ?? throw new ArgumentException("The HttpClient needs a BaseAddress.", nameof(httpClient)),
        };
        return new ApManagerClient(adapter);
    }
}
