namespace ReplicaKeeper.Archive.Offsite;

/// <summary>
/// Access key id and secret for the S3 store. Read from environment variables or files only (never
/// from a config file or the command line); <see cref="ToString"/> never shows them.
/// </summary>
public sealed class S3Credentials
{
    public const string DefaultAccessKeyEnvironmentVariable = "AWS_ACCESS_KEY_ID";
    public const string DefaultSecretKeyEnvironmentVariable = "AWS_SECRET_ACCESS_KEY";

    public S3Credentials(string accessKeyId, string secretAccessKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretAccessKey);
        AccessKeyId = accessKeyId;
        SecretAccessKey = secretAccessKey;
    }

    public string AccessKeyId { get; }

    internal string SecretAccessKey { get; }

    /// <summary>
    /// Each part from its file when one is named, else from its environment variable (defaults
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY). Throws <see cref="OffsiteException"/> naming what is missing.
    /// </summary>
    public static S3Credentials Load(string? accessKeyEnv, string? secretKeyEnv, string? accessKeyFile = null, string? secretKeyFile = null) =>
        new(Read("access key id", accessKeyFile, accessKeyEnv, DefaultAccessKeyEnvironmentVariable),
            Read("secret access key", secretKeyFile, secretKeyEnv, DefaultSecretKeyEnvironmentVariable));

    public override string ToString() => $"S3 credentials (access key id {Mask(AccessKeyId)}, secret hidden)";

    private static string Read(string what, string? file, string? env, string defaultEnv)
    {
        if (!string.IsNullOrEmpty(file))
        {
            if (!File.Exists(file))
            {
                throw new OffsiteException($"the S3 {what} file {file} does not exist");
            }

            var text = File.ReadAllText(file).Trim();
            return text.Length > 0 ? text : throw new OffsiteException($"the S3 {what} file {file} is empty");
        }

        var name = string.IsNullOrEmpty(env) ? defaultEnv : env;
        var value = Environment.GetEnvironmentVariable(name)?.Trim();
        return string.IsNullOrEmpty(value)
            ? throw new OffsiteException($"no S3 {what}: set the environment variable {name} (or name a file holding it)")
            : value;
    }

    private static string Mask(string id) => id.Length <= 4 ? "****" : id[..4] + "****";
}
