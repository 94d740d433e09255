using ReplicaKeeper.Protocol;

namespace ReplicaKeeper.Replication.Internal;

/// <summary>Turns the source's error packets into errors that say what to do.</summary>
internal static class ReplicationErrors
{
    private const int AccessDenied = 1045;
    private const int SpecificAccessDenied = 1227;
    private const int FatalReadingBinlog = 1236;

    /// <summary>Server errors worth reconnecting for: shutdown in progress, too many connections, killed, lost.</summary>
    private static readonly HashSet<int> TransientCodes = [1040, 1053, 1077, 1078, 1079, 1152, 1153, 1154, 1159, 1161, 1317, 1927, 2013];

    public static bool IsTransient(MySqlServerException e) => TransientCodes.Contains(e.ErrorCode);

    /// <summary>
    /// Maps an ERR from registration, the dump command or the stream. Transient errors are returned
    /// unchanged (the retry policy reconnects); everything else becomes a <see cref="ReplicationException"/>.
    /// </summary>
    public static Exception FromServer(MySqlServerException e, ReplicationCheckpoint requested, string user)
    {
        if (IsTransient(e))
        {
            return e;
        }

        var message = e.ServerMessage;
        switch (e.ErrorCode)
        {
            // After a successful login, "access denied" to COM_REGISTER_SLAVE / COM_BINLOG_DUMP means a missing grant.
            case SpecificAccessDenied:
            case AccessDenied:
                return new ReplicationException(
                    ReplicationErrorKind.MissingPrivilege,
                    $"The user '{user}' lacks the REPLICATION SLAVE privilege needed to read the binlog " +
                    $"(GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '{user}'@'<host>'). Source said: {message}",
                    e);
            case FatalReadingBinlog when IsPurged(message):
                return new ReplicationException(
                    ReplicationErrorKind.PositionPurged,
                    $"The source no longer has the binlogs needed to start from {requested.Describe()}: they were purged " +
                    $"(or the file does not exist). Restore from a backup taken after the purge, or start from a position the " +
                    $"source still has (SHOW BINARY LOGS). Source said: {message}",
                    e);
            case FatalReadingBinlog:
                return new ReplicationException(
                    ReplicationErrorKind.InvalidStartPosition,
                    $"The source refused to send the binlog from {requested.Describe()}: {message}",
                    e);
            default:
                return new ReplicationException($"The source reported error {e.ErrorCode} ({e.SqlState}): {message}", e);
        }
    }

    /// <summary>Maps a failure to log in (handshake/authentication) to an error that says so.</summary>
    public static Exception FromLogin(Exception e, string user, string endpoint) => e switch
    {
        MySqlServerException { ErrorCode: AccessDenied or 1044 or 1698 or 1251 or 1862 or 4151 } server => new ReplicationException(
            ReplicationErrorKind.Authentication,
            $"The source {endpoint} refused the login of user '{user}': {server.ServerMessage} " +
            "Check the user name and the password (given by the connection string or its environment variable).",
            e),
        MySqlAuthenticationException or MySqlTlsException => new ReplicationException(
            ReplicationErrorKind.Authentication, $"Could not authenticate to the source {endpoint} as '{user}': {e.Message}", e),
        _ => e,
    };

    private static bool IsPurged(string message) =>
        message.Contains("purged", StringComparison.OrdinalIgnoreCase)
        || message.Contains("could not find first log file", StringComparison.OrdinalIgnoreCase)
        || message.Contains("Could not find GTID state", StringComparison.OrdinalIgnoreCase)
        || message.Contains("could not find next log", StringComparison.OrdinalIgnoreCase);
}
