using System.Text;
using MySqlConnector;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Loads a snapshot into a target instance: schemas, tables (CREATE TABLE as the standby had it), rows by multi-row
/// INSERT of exact literals, then stored routines (before views: a view may call a stored function), views and triggers,
/// and last the events, created DISABLED (see <see cref="SnapshotDefinitionLoader"/>); finally the target's <c>replicakeeper.applied_position</c> row
/// for the channel is set to the snapshot's position, so replay through the standby applier continues exactly there.
/// The stream's SHA-256 is checked against the manifest when its End record is reached.
/// </summary>
public static class SnapshotLoader
{
    private const int StatementBytes = 4 << 20;

    /// <summary>Loads <paramref name="snapshot"/> (opened with <paramref name="key"/>) into the target; returns what it loaded and the events it left disabled.</summary>
    public static async Task<SnapshotLoadResult> LoadAsync(
        SnapshotInfo snapshot, ArchiveKey? key, string targetConnectionString, string channel, IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await using var stream = await SnapshotCatalog.OpenAsync(snapshot, key, cancellationToken).ConfigureAwait(false);
        await using var hashing = new HashingStream(stream, leaveOpen: true);
        try
        {
            var result = await LoadAsync(hashing, snapshot, targetConnectionString, channel, progress, cancellationToken).ConfigureAwait(false);
            await hashing.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
            if (snapshot.OriginalSha256 is { } expected && !string.Equals(hashing.HashHex(), expected, StringComparison.OrdinalIgnoreCase))
            {
                throw new SnapshotFormatException($"snapshot {snapshot.Id} reads back differently from what was recorded (SHA-256 of its contents differs)");
            }

            return result;
        }
        catch (Exception ex) when (ex is InvalidDataException or ZstdSharp.ZstdException or System.Security.Cryptography.CryptographicException)
        {
            throw new SnapshotFormatException($"snapshot {snapshot.Id} cannot be decrypted/decompressed: {ex.Message}", ex);
        }
    }

    private static async Task<SnapshotLoadResult> LoadAsync(
        Stream stream, SnapshotInfo snapshot, string targetConnectionString, string channel, IProgress<SnapshotProgress>? progress, CancellationToken ct)
    {
        var reader = new SnapshotStreamReader(stream, snapshot.Id);
        await reader.ReadMagicAsync(ct).ConfigureAwait(false);
        var builder = new MySqlConnectionStringBuilder(StandbyConnections.Normalize(targetConnectionString)) { DefaultCommandTimeout = 0, Pooling = false };
        var (connection, _) = await StandbyConnections.OpenAsync(builder.ConnectionString, ct).ConfigureAwait(false);
        await using var _ = connection.ConfigureAwait(false);
        await connection.ExecuteAsync(
            "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION', SESSION foreign_key_checks = 0, SESSION unique_checks = 0, SESSION time_zone = '+00:00'",
            ct).ConfigureAwait(false);
        // a ReplicaKeeper session: the guarded triggers created below do nothing for it (see TriggerGuard)
        await connection.ExecuteAsync(TriggerGuard.MarkSessionSql, ct).ConfigureAwait(false);

        SnapshotHeader? header = null;
        SnapshotTable? table = null;
        var views = new List<SnapshotObject>();
        var triggers = new List<SnapshotObject>();
        var routines = new List<SnapshotDefinition>();
        var events = new List<SnapshotDefinition>();
        var sql = new StringBuilder(StatementBytes + (1 << 16));
        var tables = 0;
        long rows = 0;
        long tableRows = 0;
        var ended = false;
        while (await reader.ReadAsync(ct).ConfigureAwait(false) is { } record)
        {
            if (ended)
            {
                throw new SnapshotFormatException($"snapshot {snapshot.Id} has data after its end record");
            }

            switch (record.Type)
            {
                case SnapshotRecordType.Header:
                    header = reader.Json<SnapshotHeader>(record.Payload);
                    if (header.Format != SnapshotTaker.FormatName)
                    {
                        throw new SnapshotFormatException($"snapshot {snapshot.Id} has format {header.Format}; this version reads {SnapshotTaker.FormatName}");
                    }

                    break;
                case SnapshotRecordType.Database:
                    var database = reader.Json<SnapshotObject>(record.Payload);
                    await connection.ExecuteAsync(database.CreateSql, ct).ConfigureAwait(false);
                    break;
                case SnapshotRecordType.Table:
                    table = reader.Json<SnapshotTable>(record.Payload);
                    tableRows = 0;
                    progress?.Report(new SnapshotProgress(table.Schema + "." + table.Name, tables, snapshot.Tables, rows));
                    await connection.ExecuteAsync("USE " + SqlText.Quote(table.Schema), ct).ConfigureAwait(false);
                    await connection.ExecuteAsync(table.CreateSql, ct).ConfigureAwait(false);
                    break;
                case SnapshotRecordType.Rows:
                    if (table is null)
                    {
                        throw new SnapshotFormatException($"snapshot {snapshot.Id} has rows outside a table");
                    }

                    var loaded = await InsertAsync(connection, table, record.Payload, sql, ct).ConfigureAwait(false);
                    tableRows += loaded;
                    rows += loaded;
                    progress?.Report(new SnapshotProgress(table.Schema + "." + table.Name, tables, snapshot.Tables, rows));
                    break;
                case SnapshotRecordType.TableEnd:
                    var end = reader.Json<SnapshotTableEnd>(record.Payload);
                    if (table is null || end.Rows != tableRows)
                    {
                        throw new SnapshotFormatException($"snapshot {snapshot.Id}: table {table?.Schema}.{table?.Name} should have {end.Rows} rows, {tableRows} were read");
                    }

                    table = null;
                    tables++;
                    break;
                case SnapshotRecordType.View:
                    views.Add(reader.Json<SnapshotObject>(record.Payload));
                    break;
                case SnapshotRecordType.Trigger:
                    triggers.Add(reader.Json<SnapshotObject>(record.Payload));
                    break;
                case SnapshotRecordType.Routine:
                    routines.Add(reader.Json<SnapshotDefinition>(record.Payload));
                    break;
                case SnapshotRecordType.Event:
                    events.Add(reader.Json<SnapshotDefinition>(record.Payload));
                    break;
                case SnapshotRecordType.End:
                    var totals = reader.Json<SnapshotTableEnd>(record.Payload);
                    if (totals.Rows != rows || totals.Tables != tables)
                    {
                        throw new SnapshotFormatException($"snapshot {snapshot.Id} should hold {totals.Tables} tables and {totals.Rows} rows; {tables} and {rows} were read");
                    }

                    ended = true;
                    break;
                default:
                    throw new SnapshotFormatException($"snapshot {snapshot.Id} has an unknown record type 0x{(byte)record.Type:X2}");
            }
        }

        if (!ended || header is null)
        {
            throw new SnapshotFormatException($"snapshot {snapshot.Id} is truncated (no end record)");
        }

        foreach (var routine in routines)
        {
            await SnapshotDefinitionLoader.CreateAsync(connection, routine, ct).ConfigureAwait(false);
        }

        await CreateViewsAsync(connection, views, ct).ConfigureAwait(false);
        foreach (var trigger in triggers)
        {
            await connection.ExecuteAsync("USE " + SqlText.Quote(trigger.Schema), ct).ConfigureAwait(false);
            // guarded: the replay that follows applies rows the source's trigger already changed (see TriggerGuard)
            await connection.ExecuteAsync(TriggerGuard.Guard(trigger.CreateSql), ct).ConfigureAwait(false);
        }

        var disabled = new List<SnapshotDisabledEvent>();
        foreach (var definition in events)
        {
            if (await SnapshotDefinitionLoader.CreateAsync(connection, definition, ct).ConfigureAwait(false) is { } created)
            {
                disabled.Add(created);
            }
        }

        await PositionStore.EnsureSchemaAsync(connection, ct).ConfigureAwait(false);
        await PositionStore.WriteAsync(connection, null, new AppliedPosition(
            channel,
            ToStandbyPosition(header.Position),
            header.Position.LastTransaction,
            header.IdempotentUntil is { } until ? ToStandbyPosition(until) : null,
            null,
            null,
            DateTime.UtcNow), ct).ConfigureAwait(false);
        var done = new SnapshotProgress(null, tables, snapshot.Tables, rows);
        progress?.Report(done);
        return new SnapshotLoadResult(tables, rows, [.. routines.Select(r => r.Schema + "." + r.Name)], disabled);
    }

    private static async Task<long> InsertAsync(MySqlConnection connection, SnapshotTable table, ReadOnlyMemory<byte> payload, StringBuilder sql, CancellationToken ct)
    {
        var prefix = "INSERT INTO " + SqlText.Quote(table.Schema, table.Name) + " (" + SqlText.QuoteList(table.Columns.Select(c => c.Name)) + ") VALUES ";
        var offset = 0;
        long count = 0;
        sql.Clear();
        while (offset < payload.Length)
        {
            sql.Append(sql.Length == 0 ? prefix : ",").Append('(');
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (i > 0)
                {
                    sql.Append(',');
                }

                var length = SnapshotRows.ReadVarint(payload.Span, ref offset);
                if (length == 0)
                {
                    sql.Append("NULL");
                    continue;
                }

                var size = (int)(length - 1);
                if (offset + size > payload.Length)
                {
                    throw new SnapshotFormatException($"a rows record of {table.Schema}.{table.Name} ends inside a value");
                }

                AppendLiteral(sql, table.Columns[i].Kind, payload.Span.Slice(offset, size));
                offset += size;
            }

            sql.Append(')');
            count++;
            if (sql.Length >= StatementBytes)
            {
                await connection.ExecuteAsync(sql.ToString(), ct).ConfigureAwait(false);
                sql.Clear();
            }
        }

        if (sql.Length > 0)
        {
            await connection.ExecuteAsync(sql.ToString(), ct).ConfigureAwait(false);
            sql.Clear();
        }

        return count;
    }

    private static void AppendLiteral(StringBuilder sql, SnapshotColumnKind kind, ReadOnlySpan<byte> value)
    {
        switch (kind)
        {
            case SnapshotColumnKind.Number or SnapshotColumnKind.Float:
                foreach (var b in value)
                {
                    if (!(char.IsAsciiDigit((char)b) || b is (byte)'-' or (byte)'+' or (byte)'.' or (byte)'e' or (byte)'E'))
                    {
                        throw new SnapshotFormatException($"a numeric value holds '{(char)b}'");
                    }

                    sql.Append((char)b);
                }

                break;
            case SnapshotColumnKind.Json:
                sql.Append("CONVERT(");
                AppendHex(sql, value);
                sql.Append(" USING utf8mb4)");
                break;
            default:
                AppendHex(sql, value);
                break;
        }
    }

    private static void AppendHex(StringBuilder sql, ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            sql.Append("''");
            return;
        }

        sql.Append("X'");
        Span<char> chars = stackalloc char[512];
        while (!value.IsEmpty)
        {
            var take = Math.Min(256, value.Length);
            Convert.TryToHexString(value[..take], chars, out var written);
            sql.Append(chars[..written]);
            value = value[take..];
        }

        sql.Append('\'');
    }

    /// <summary>Views may name other views: create them in rounds until none is left or a round makes no progress.</summary>
    private static async Task CreateViewsAsync(MySqlConnection connection, List<SnapshotObject> views, CancellationToken ct)
    {
        var pending = views;
        while (pending.Count > 0)
        {
            var failed = new List<SnapshotObject>();
            MySqlException? last = null;
            foreach (var view in pending)
            {
                try
                {
                    await connection.ExecuteAsync("USE " + SqlText.Quote(view.Schema), ct).ConfigureAwait(false);
                    await connection.ExecuteAsync(view.CreateSql, ct).ConfigureAwait(false);
                }
                catch (MySqlException ex)
                {
                    failed.Add(view);
                    last = ex;
                }
            }

            if (failed.Count == pending.Count)
            {
                throw new InvalidOperationException($"view {failed[0].Schema}.{failed[0].Name} cannot be created: {last?.Message}", last);
            }

            pending = failed;
        }
    }

    private static StandbyPosition ToStandbyPosition(SnapshotPosition position) => new(
        position.MySqlGtids is { } gtids ? GtidSet.Parse(gtids) : null,
        position.MariaDbGtids is { } list ? MariaDbGtidList.Parse(list) : null,
        position.Binlog);
}
