using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReplicaKeeper.Archive;

/// <summary>The one set of JSON options the archive persists with (camelCase, nulls omitted).</summary>
public static class ArchiveJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = false,
    };

    public static JsonSerializerOptions Indented { get; } = new(Options) { WriteIndented = true };
}
