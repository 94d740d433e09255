using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReplicaKeeper.Archive.Configuration;

/// <summary>
/// Reads <see cref="ArchiveConfig"/> from JSON: a whole file (its "archive" property, or the file itself
/// when it has none) or a section another config reader hands over (<see cref="FromSection"/>, for the
/// daemon's config). Property names are case-insensitive, comments and trailing commas allowed,
/// unknown properties refused. A file holding a secret value is refused before anything else.
/// </summary>
public static class ArchiveConfigReader
{
    public const string SectionName = "archive";

    /// <summary>Property names that would hold a secret value, and where that secret belongs instead.</summary>
    private static readonly Dictionary<string, string> SecretProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        ["key"] = "keyFile or keyEnv",
        ["archiveKey"] = "keyFile or keyEnv",
        ["encryptionKey"] = "keyFile or keyEnv",
        ["password"] = "passwordEnv",
        ["secret"] = "secretKeyEnv or secretKeyFile",
        ["secretKey"] = "secretKeyEnv or secretKeyFile",
        ["secretAccessKey"] = "secretKeyEnv or secretKeyFile",
        ["accessKey"] = "accessKeyEnv or accessKeyFile",
        ["accessKeyId"] = "accessKeyEnv or accessKeyFile",
    };

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static async Task<ArchiveConfig> ReadFileAsync(string path, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ArchiveConfigException($"config file {path} does not exist");
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken);
        return Parse(text, path);
    }

    /// <summary>Parses a whole config text: its "archive" property when present, else the object itself.</summary>
    public static ArchiveConfig Parse(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new ArchiveConfigException($"{source}: not valid JSON ({ex.Message})", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ArchiveConfigException($"{source}: expected a JSON object");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (property.Name.Equals(SectionName, StringComparison.OrdinalIgnoreCase))
                {
                    return Bind(property.Value, source, property.Name + ".");
                }
            }

            return Bind(root, source, "");
        }
    }

    /// <summary>
    /// Binds one "archive" section handed over by another config reader (the daemon's); <paramref name="source"/>
    /// names it in messages (e.g. "/etc/rk.json: archive").
    /// </summary>
    public static ArchiveConfig FromSection(JsonElement section, string source) => Bind(section, source, "");

    private static ArchiveConfig Bind(JsonElement section, string source, string pathPrefix)
    {
        if (section.ValueKind != JsonValueKind.Object)
        {
            throw new ArchiveConfigException($"{source}: '{pathPrefix.TrimEnd('.')}' must be a JSON object");
        }

        RefuseSecrets(section, pathPrefix.TrimEnd('.'), source);
        try
        {
            var config = section.Deserialize<ArchiveConfig>(Options) ?? throw new ArchiveConfigException($"{source}: empty archive section");
            Validate(config, source, pathPrefix);
            return config;
        }
        catch (JsonException ex)
        {
            throw new ArchiveConfigException($"{source}: {Describe(ex, pathPrefix)}", ex);
        }
    }

    private static void RefuseSecrets(JsonElement element, string path, string source)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    var here = path.Length == 0 ? property.Name : path + "." + property.Name;
                    if (SecretProperties.TryGetValue(property.Name, out var instead) && property.Value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined))
                    {
                        throw new ArchiveConfigException($"{source}: '{here}' would put a secret in the config file, which is refused; name an environment variable or a file instead ({instead})");
                    }

                    if (property.Name.Equals("source", StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.String
                        && HasPassword(property.Value.GetString()!))
                    {
                        throw new ArchiveConfigException($"{source}: '{here}' contains a password; remove it from the connection string and set passwordEnv to the environment variable holding it");
                    }

                    RefuseSecrets(property.Value, here, source);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    RefuseSecrets(item, path, source);
                }

                break;
        }
    }

    private static bool HasPassword(string connectionString) =>
        connectionString.Split(';').Select(p => p.Split('=', 2)[0].Trim())
            .Any(k => k.Equals("password", StringComparison.OrdinalIgnoreCase) || k.Equals("pwd", StringComparison.OrdinalIgnoreCase));

    private static void Validate(ArchiveConfig config, string source, string p)
    {
        if (config.Retention is { Days: <= 0 })
        {
            throw new ArchiveConfigException($"{source}: {p}retention.days must be positive");
        }

        if (config.Retention is { Gigabytes: <= 0 })
        {
            throw new ArchiveConfigException($"{source}: {p}retention.gigabytes must be positive");
        }

        if (config.Offsite is { } offsite)
        {
            if (string.IsNullOrWhiteSpace(offsite.Bucket))
            {
                throw new ArchiveConfigException($"{source}: {p}offsite.bucket is required when an offsite section is given");
            }

            if (offsite.Endpoint is { } endpoint && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            {
                throw new ArchiveConfigException($"{source}: {p}offsite.endpoint '{endpoint}' is not an absolute URL");
            }

            if (offsite.UploadIntervalSeconds is <= 0)
            {
                throw new ArchiveConfigException($"{source}: {p}offsite.uploadIntervalSeconds must be positive");
            }
        }
    }

    private static string Describe(JsonException ex, string pathPrefix)
    {
        var path = (pathPrefix + ex.Path?.TrimStart('$').TrimStart('.')).TrimEnd('.');
        var message = ex.Message;
        if (message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            var start = message.IndexOf('\'', StringComparison.Ordinal);
            var end = start < 0 ? -1 : message.IndexOf('\'', start + 1);
            var name = end > start ? message[(start + 1)..end] : "?";
            return $"'{(string.IsNullOrEmpty(path) ? name : path + "." + name)}' is not a known setting";
        }

        return $"'{path}' has the wrong type or value";
    }
}
