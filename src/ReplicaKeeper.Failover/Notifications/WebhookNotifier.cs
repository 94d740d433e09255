using System.Net.Http.Json;
using System.Text.Json;

namespace ReplicaKeeper.Failover.Notifications;

/// <summary>
/// POSTs each notification as JSON (<c>{"kind":"alert","subject":...,"body":...,"createdAt":...}</c>) to a URL
/// (config key <c>Notifications:Webhook:Url</c>); any non-2xx answer is an error.
/// </summary>
public sealed class WebhookNotifier(HttpClient http, Uri url) : INotifier
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private readonly HttpClient _http = http ?? throw new ArgumentNullException(nameof(http));
    private readonly Uri _url = url ?? throw new ArgumentNullException(nameof(url));

    public async Task SendAsync(Notification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notification);
        using var response = await _http.PostAsJsonAsync(_url, notification, Json, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"webhook {_url} answered {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
    }
}
