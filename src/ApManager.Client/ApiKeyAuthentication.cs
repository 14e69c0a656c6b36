using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace ApManager.Client;

/// <summary>
/// Sends an ApManager API key as <c>Authorization: Bearer &lt;key&gt;</c>. Kiota's own providers
/// refuse plain http, which a service on 127.0.0.1 (the default) uses.
/// </summary>
public sealed class ApiKeyAuthentication(string apiKey) : IAuthenticationProvider
{
    public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Headers.TryAdd("Authorization", $"Bearer {apiKey}");
        return Task.CompletedTask;
    }
}
