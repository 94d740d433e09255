using System.Text;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// QUERY_EVENT (2): a statement (DDL, BEGIN, COMMIT, or a statement-based change).
/// Post-header: thread_id(4) exec_time(4) schema_length(1) error_code(2) status_vars_length(2);
/// then the status variables, the schema and a NUL, and the statement text to the end.
/// MariaDB's QUERY_COMPRESSED_EVENT (165) is decoded into this type by the dispatcher.
/// </summary>
public sealed record QueryEvent(
    EventHeader Header,
    uint ThreadId,
    uint ExecutionTime,
    ushort ErrorCode,
    string Schema,
    QueryStatusVariables StatusVariables,
    string Query) : BinlogEvent(Header)
{
    /// <summary>Bytes of the QUERY post-header in binlog v4.</summary>
    public const int PostHeaderSize = 13;

    public bool IsBegin => Query.Equals("BEGIN", StringComparison.OrdinalIgnoreCase)
        || Query.Equals("START TRANSACTION", StringComparison.OrdinalIgnoreCase);

    public bool IsCommit => Query.Equals("COMMIT", StringComparison.OrdinalIgnoreCase);

    public bool IsRollback => Query.StartsWith("ROLLBACK", StringComparison.OrdinalIgnoreCase)
        && !Query.StartsWith("ROLLBACK TO", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Schema or object definition change (CREATE/ALTER/DROP/RENAME/TRUNCATE, GRANT/REVOKE and account statements).
    /// Statement-based DML, transaction control, SAVEPOINT and XA statements are not DDL.
    /// </summary>
    public bool IsDdl
    {
        get
        {
            var text = Query.AsSpan().TrimStart();
            while (text.StartsWith("/*", StringComparison.Ordinal))
            {
                var end = text.IndexOf("*/", StringComparison.Ordinal);
                if (end < 0)
                {
                    return false;
                }

                text = text[(end + 2)..].TrimStart();
            }

            ReadOnlySpan<string> ddl = ["CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "GRANT", "REVOKE", "ANALYZE", "OPTIMIZE", "REPAIR"];
            foreach (var keyword in ddl)
            {
                if (text.StartsWith(keyword, StringComparison.OrdinalIgnoreCase)
                    && (text.Length == keyword.Length || !char.IsLetterOrDigit(text[keyword.Length])))
                {
                    return true;
                }
            }

            return false;
        }
    }

    public static QueryEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        ReadHead(ref reader, header, context, out var threadId, out var execTime, out var errorCode, out var status, out var schema);
        return new QueryEvent(header, threadId, execTime, errorCode, schema, status, Encoding.UTF8.GetString(reader.ReadToEnd()));
    }

    /// <summary>
    /// Reads everything up to the statement text (post-header, status variables, schema); the
    /// reader is left at the text. Shared with MariaDB's QUERY_COMPRESSED.
    /// </summary>
    internal static void ReadHead(
        ref BinlogReader reader, EventHeader header, FormatContext context,
        out uint threadId, out uint execTime, out ushort errorCode, out QueryStatusVariables status, out string schema)
    {
        _ = header;
        threadId = reader.ReadUInt32LE();
        execTime = reader.ReadUInt32LE();
        var schemaLength = reader.ReadByte();
        errorCode = reader.ReadUInt16LE();
        var postHeader = context.PostHeaderLength(header.EventType, PostHeaderSize);
        var statusLength = 0;
        if (postHeader >= PostHeaderSize)
        {
            statusLength = reader.ReadUInt16LE();
            reader.Skip(postHeader - PostHeaderSize);
        }
        else
        {
            reader.Skip(Math.Max(0, postHeader - 11));
        }

        var statusBytes = reader.ReadBytes(statusLength);
        var statusReader = new BinlogReader(statusBytes, reader.Offset - statusLength);
        status = ReadStatusVariables(ref statusReader);
        schema = Encoding.UTF8.GetString(reader.ReadBytes(schemaLength));
        if (reader.ReadByte() != 0)
        {
            throw reader.Error("schema name is not NUL-terminated");
        }
    }

    private static QueryStatusVariables ReadStatusVariables(ref BinlogReader r)
    {
        if (r.IsAtEnd)
        {
            return QueryStatusVariables.Empty;
        }

        uint? flags2 = null;
        ulong? sqlMode = null;
        string? catalog = null;
        ushort? autoIncrement = null, autoOffset = null, client = null, connection = null, server = null;
        string? timeZone = null;
        ushort? lcTimeNames = null, collationDatabase = null, defaultUtf8mb4 = null;
        ulong? tableMapForUpdate = null, ddlXid = null, mariaXid = null;
        uint? masterDataWritten = null, microseconds = null, hrNow = null;
        string? invokerUser = null, invokerHost = null;
        List<string>? updatedDbs = null;
        bool? explicitDefaults = null;
        byte? requirePk = null, tableEncryption = null, gtidFlags3 = null, unknown = null;

        while (!r.IsAtEnd && unknown is null)
        {
            var code = r.ReadByte();
            switch (code)
            {
                case 0: flags2 = r.ReadUInt32LE(); break;
                case 1: sqlMode = r.ReadUInt64LE(); break;
                case 2:
                    catalog = Encoding.UTF8.GetString(r.ReadBytes(r.ReadByte()));
                    r.Skip(1);
                    break;
                case 3:
                    autoIncrement = r.ReadUInt16LE();
                    autoOffset = r.ReadUInt16LE();
                    break;
                case 4:
                    client = r.ReadUInt16LE();
                    connection = r.ReadUInt16LE();
                    server = r.ReadUInt16LE();
                    break;
                case 5: timeZone = Encoding.UTF8.GetString(r.ReadBytes(r.ReadByte())); break;
                case 6: catalog = Encoding.UTF8.GetString(r.ReadBytes(r.ReadByte())); break;
                case 7: lcTimeNames = r.ReadUInt16LE(); break;
                case 8: collationDatabase = r.ReadUInt16LE(); break;
                case 9: tableMapForUpdate = r.ReadUInt64LE(); break;
                case 10: masterDataWritten = r.ReadUInt32LE(); break;
                case 11:
                    invokerUser = Encoding.UTF8.GetString(r.ReadBytes(r.ReadByte()));
                    invokerHost = Encoding.UTF8.GetString(r.ReadBytes(r.ReadByte()));
                    break;
                case 12:
                    updatedDbs = ReadUpdatedDbNames(ref r);
                    break;
                case 13: microseconds = r.ReadUInt24LE(); break;
                case 16: explicitDefaults = r.ReadByte() != 0; break;
                case 17: ddlXid = r.ReadUInt64LE(); break;
                case 18: defaultUtf8mb4 = r.ReadUInt16LE(); break;
                case 19: requirePk = r.ReadByte(); break;
                case 20: tableEncryption = r.ReadByte(); break;
                case 128: hrNow = r.ReadUInt24LE(); break;
                case 129: mariaXid = r.ReadUInt64LE(); break;
                case 130: gtidFlags3 = r.ReadByte(); break;
                default:
                    // As mysqlbinlog: codes are written in increasing order, so an unknown one
                    // ends what we can read; the block's length lets us skip the rest safely.
                    unknown = code;
                    break;
            }
        }

        return new QueryStatusVariables
        {
            Flags2 = flags2,
            SqlMode = sqlMode,
            Catalog = catalog,
            AutoIncrementIncrement = autoIncrement,
            AutoIncrementOffset = autoOffset,
            CharacterSetClient = client,
            CollationConnection = connection,
            CollationServer = server,
            TimeZone = timeZone,
            LcTimeNames = lcTimeNames,
            CollationDatabase = collationDatabase,
            TableMapForUpdate = tableMapForUpdate,
            MasterDataWritten = masterDataWritten,
            InvokerUser = invokerUser,
            InvokerHost = invokerHost,
            UpdatedDbNames = updatedDbs,
            Microseconds = microseconds,
            ExplicitDefaultsForTimestamp = explicitDefaults,
            DdlXid = ddlXid,
            DefaultCollationForUtf8mb4 = defaultUtf8mb4,
            SqlRequirePrimaryKey = requirePk,
            DefaultTableEncryption = tableEncryption,
            HrNowMicroseconds = hrNow,
            MariaDbXid = mariaXid,
            GtidFlags3 = gtidFlags3,
            FirstUnknownCode = unknown,
        };
    }

    private static List<string> ReadUpdatedDbNames(ref BinlogReader r)
    {
        const byte overMaxDbs = 254;
        var count = r.ReadByte();
        var names = new List<string>(count == overMaxDbs ? 0 : count);
        if (count == overMaxDbs)
        {
            return names;
        }

        for (var i = 0; i < count; i++)
        {
            names.Add(Encoding.UTF8.GetString(r.ReadNullTerminatedBytes()));
        }

        return names;
    }
}
