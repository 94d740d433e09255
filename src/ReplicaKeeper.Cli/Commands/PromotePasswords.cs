using MySqlConnector;
using ReplicaKeeper.Cli.Configuration;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// Where <c>promote</c> takes a server's password from, so that it need not appear in the process arguments: a
/// password file (<c>--standby-password-file</c>, mode 600 like the daemon's secret files), else the password inside the
/// connection string, else an environment variable (REPLICAKEEPER_STANDBY_PASSWORD / REPLICAKEEPER_MASTER_PASSWORD).
/// </summary>
internal static class PromotePasswords
{
    public const string StandbyEnv = "REPLICAKEEPER_STANDBY_PASSWORD";
    public const string MasterEnv = "REPLICAKEEPER_MASTER_PASSWORD";

    /// <summary>
    /// The connection string with the password filled in. Throws <see cref="ArgumentException"/> naming
    /// <paramref name="option"/> for a malformed string, a refused password file, or a password given twice.
    /// </summary>
    public static string Resolve(string connectionString, string option, string? passwordFile, string environmentVariable)
    {
        MySqlConnectionStringBuilder builder;
        try
        {
            builder = new MySqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{option}: not a valid connection string ({e.Message})", option, e);
        }

        var inline = !string.IsNullOrEmpty(builder.Password);
        if (passwordFile is not null)
        {
            if (inline)
            {
                throw new ArgumentException(
                    $"{option} contains a password and {option}-password-file was given too: remove the password from the connection string", option);
            }

            if (SecretFile.Problem(passwordFile) is { } problem)
            {
                throw new ArgumentException($"{option}-password-file: {problem}", option);
            }

            try
            {
                builder.Password = SecretFile.Read(passwordFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"{option}-password-file: cannot read {passwordFile}: {e.Message}", option, e);
            }
        }
        else if (!inline && Environment.GetEnvironmentVariable(environmentVariable) is { Length: > 0 } fromEnvironment)
        {
            builder.Password = fromEnvironment;
        }

        return builder.ConnectionString;
    }
}
