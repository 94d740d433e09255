using System.Globalization;
using Microsoft.Extensions.Configuration;
using ReplicaKeeper.Cli.Daemon;

namespace ReplicaKeeper.Cli.Configuration;

/// <summary>
/// Reads typed values from the merged configuration, remembering every key it was asked for (so unknown keys,
/// typically typos, can be reported) and collecting one <see cref="ConfigProblem"/> per invalid key.
/// </summary>
internal sealed class ConfigReader(IConfiguration configuration, string baseDirectory)
{
    private readonly HashSet<string> _known = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _knownLists = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<ConfigProblem> _problems = [];

    public IReadOnlyList<ConfigProblem> Problems => _problems;

    public bool HasProblem(string key) => _problems.Any(p => p.Key.Equals(key, StringComparison.OrdinalIgnoreCase));

    public void Fail(string key, string message, int exitCode = DaemonExitCodes.InvalidConfig)
    {
        if (!HasProblem(key))
        {
            _problems.Add(new ConfigProblem(key, message, exitCode));
        }
    }

    public bool SectionExists(string section) => configuration.GetSection(section).GetChildren().Any();

    public string? String(string key)
    {
        _known.Add(key);
        var value = configuration[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    public string? RequiredString(string key, string what)
    {
        var value = String(key);
        if (value is null)
        {
            Fail(key, $"is required: {what}");
        }

        return value;
    }

    /// <summary>A path; relative paths are taken relative to the config file's directory.</summary>
    public string? Path(string key) => String(key) is { } value ? System.IO.Path.GetFullPath(value, baseDirectory) : null;

    public int Int(string key, int fallback, int min, int max) =>
        Number(key, min, max, s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (int?)null, "a whole number") ?? fallback;

    public long? OptionalLong(string key, long min, long max) =>
        Number(key, min, max, s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (long?)null, "a whole number");

    public double Double(string key, double fallback, double min, double max) => OptionalDouble(key, min, max) ?? fallback;

    public double? OptionalDouble(string key, double min, double max) =>
        Number(key, min, max, s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : (double?)null, "a number");

    public uint? OptionalServerId(string key) =>
        Number(key, 1u, uint.MaxValue, s => uint.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : (uint?)null, "a server id (1..4294967295)");

    public bool Bool(string key, bool fallback)
    {
        if (String(key) is not { } text)
        {
            return fallback;
        }

        if (bool.TryParse(text, out var value))
        {
            return value;
        }

        Fail(key, $"'{text}' is not true or false");
        return fallback;
    }

    public T Enum<T>(string key, T fallback)
        where T : struct, System.Enum
    {
        if (String(key) is not { } text)
        {
            return fallback;
        }

        if (!text.All(char.IsAsciiDigit) && System.Enum.TryParse<T>(text, ignoreCase: true, out var value))
        {
            return value;
        }

        Fail(key, $"'{text}' is not one of {string.Join(", ", System.Enum.GetNames<T>())}");
        return fallback;
    }

    public T? Parsed<T>(string key, Func<string, T> parse, string what)
        where T : struct
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        try
        {
            return parse(text);
        }
        catch (FormatException)
        {
            Fail(key, $"'{text}' is not {what}");
            return null;
        }
    }

    /// <summary>A JSON array (or KEY__0, KEY__1 environment variables) of strings.</summary>
    public IReadOnlyList<string> List(string key)
    {
        _known.Add(key);
        _knownLists.Add(key);
        var section = configuration.GetSection(key);
        if (section.Value is { Length: > 0 } single)
        {
            return single.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return section.GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Trim().Length > 0).Select(v => v.Trim()).ToList();
    }

    private T? Number<T>(string key, T min, T max, Func<string, T?> parse, string what)
        where T : struct, IComparable<T>
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        if (parse(text) is not { } value)
        {
            Fail(key, $"'{text}' is not {what}");
            return null;
        }

        if (value.CompareTo(min) < 0 || value.CompareTo(max) > 0)
        {
            Fail(key, string.Create(CultureInfo.InvariantCulture, $"{text} is out of range ({min} to {max})"));
            return null;
        }

        return value;
    }

    /// <summary>Reports every key that is set but that nothing read: a typo or a key from another version.</summary>
    public void CheckUnknownKeys()
    {
        foreach (var (key, value) in configuration.AsEnumerable().OrderBy(k => k.Key, StringComparer.OrdinalIgnoreCase))
        {
            if (value is null || _known.Contains(key) || IsListItem(key))
            {
                continue;
            }

            var section = key.Split(':')[0];
            var known = _known.Where(k => k.StartsWith(section + ":", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
            Fail(key, known.Count > 0
                ? $"unknown key (a typo?); the keys of section {section} are {string.Join(", ", known)}"
                : $"unknown key (a typo?); the sections are Source, Archive, Standby, Snapshots, Drills, Http, Logging, Notifications, Daemon");
        }
    }

    private bool IsListItem(string key)
    {
        var colon = key.LastIndexOf(':');
        return colon > 0 && _knownLists.Contains(key[..colon]) && key[(colon + 1)..].All(char.IsAsciiDigit);
    }
}
