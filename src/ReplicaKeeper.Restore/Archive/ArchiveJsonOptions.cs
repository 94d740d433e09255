using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReplicaKeeper.Restore.Archive;

/// <summary>The JSON conventions the archive persists with (camelCase, nulls omitted), for reading its files.</summary>
internal static class ArchiveJsonOptions
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
