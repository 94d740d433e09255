using System.Text.Json;

namespace ReplicaKeeper.Failover.Status;

/// <summary>The JSON shape of <see cref="StatusSnapshot"/> (camelCase, nulls written), shared by the daemon and the CLI.</summary>
public static class StatusJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static string Serialize(StatusSnapshot snapshot) => JsonSerializer.Serialize(snapshot, Options);

    public static StatusSnapshot Deserialize(string json) =>
        JsonSerializer.Deserialize<StatusSnapshot>(json, Options) ?? throw new JsonException("the status document is empty (null)");
}
