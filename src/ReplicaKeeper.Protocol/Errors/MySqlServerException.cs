using System.Text;
using ReplicaKeeper.Protocol.Packets;

namespace ReplicaKeeper.Protocol;

/// <summary>
/// The server answered with an ERR packet. <see cref="ErrorCode"/> and <see cref="SqlState"/> are the
/// server's own values (e.g. 1045 / 28000 for a wrong password, 1236 / HY000 for a purged binlog);
/// <see cref="ServerMessage"/> is the server's text unchanged. The connection stays usable unless
/// the server closes it.
/// </summary>
public sealed class MySqlServerException : Exception
{
    /// <summary>SQL state used when the server sent none (errors before the handshake completes).</summary>
    public const string GeneralSqlState = "HY000";

    public MySqlServerException()
        : this(0, GeneralSqlState, "The server returned an error.")
    {
    }

    public MySqlServerException(string message)
        : this(0, GeneralSqlState, message)
    {
    }

    public MySqlServerException(string message, Exception innerException)
        : base(message, innerException)
    {
        SqlState = GeneralSqlState;
        ServerMessage = message;
    }

    public MySqlServerException(int errorCode, string sqlState, string serverMessage, string? context = null)
        : base(FormatMessage(errorCode, sqlState, serverMessage, context))
    {
        ErrorCode = errorCode;
        SqlState = sqlState;
        ServerMessage = serverMessage;
    }

    /// <summary>The server's error number (e.g. 1045 ER_ACCESS_DENIED_ERROR).</summary>
    public int ErrorCode { get; }

    /// <summary>Five-character SQLSTATE, <see cref="GeneralSqlState"/> when the server sent none.</summary>
    public string SqlState { get; }

    /// <summary>The server's message text exactly as received.</summary>
    public string ServerMessage { get; }

    /// <summary>True if <paramref name="payload"/> is an ERR packet (header byte 0xFF).</summary>
    public static bool IsErrorPacket(ReadOnlySpan<byte> payload) => payload.Length > 0 && payload[0] == PacketHeader.Error;

    /// <summary>
    /// Parses an ERR packet: 0xFF, error code (2), optional '#' + SQLSTATE (5), message (rest).
    /// <paramref name="context"/> is prepended to the message (never put secrets in it).
    /// </summary>
    public static MySqlServerException FromErrorPacket(ReadOnlySpan<byte> payload, string? context = null)
    {
        var reader = new PayloadReader(payload, "ERR");
        if (reader.ReadByte() != PacketHeader.Error)
        {
            throw new MySqlProtocolException("Expected an ERR packet (0xFF).");
        }

        int code = reader.ReadUInt16();
        string sqlState = GeneralSqlState;
        if (reader.Remaining >= 6 && reader.PeekByte() == (byte)'#')
        {
            reader.Skip(1);
            sqlState = Encoding.ASCII.GetString(reader.ReadBytes(5));
        }

        string message = Encoding.UTF8.GetString(reader.ReadRest());
        return new MySqlServerException(code, sqlState, message, context);
    }

    private static string FormatMessage(int errorCode, string sqlState, string serverMessage, string? context) =>
        context is null
            ? $"Error {errorCode} ({sqlState}): {serverMessage}"
            : $"{context}: error {errorCode} ({sqlState}): {serverMessage}";
}
