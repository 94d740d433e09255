using System.Globalization;
using System.Text.RegularExpressions;
using MySqlConnector;
using ReplicaKeeper.Archive;
using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Reading;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Seeding;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// Takes a consistent logical snapshot of a standby into the archive (the master is never locked or read).
/// <para>
/// One InnoDB consistent snapshot (<see cref="ConsistentSnapshot"/>) is read as a whole: inside it, the standby's
/// <c>replicakeeper.applied_position</c> names exactly the source transactions the data holds (the applier commits it
/// with the data). Without a position table, the standby's own GTID state is used instead (and said so in
/// <see cref="SnapshotPosition.Origin"/>). Every user schema but <c>replicakeeper</c> is written: CREATE DATABASE,
/// CREATE TABLE and rows (each value the server's exact text or bytes, see <see cref="SnapshotColumnKind"/>), then
/// views and triggers. Tables are read one after the other in the one snapshot transaction (no per-table parallelism:
/// MySQL cannot share a consistent snapshot between sessions without a lock).
/// </para>
/// <para>
/// The stream is compressed (zstd) and, with a key, encrypted (AES-256-GCM) by <see cref="SegmentCodec"/>, written to
/// <c>ARCHIVE/snapshots/ID.rks.zst[.aes]</c>, read back and checked, then recorded in the manifest (hash chain) as a
/// <see cref="ManifestEntry.SnapshotKind"/> line.
/// </para>
/// </summary>
public sealed partial class SnapshotTaker(ArchiveLayout layout, ArchiveKey? key)
{
    public const string FormatName = "rksnap-1";
    public const string DirectoryName = "snapshots";
    private static readonly string[] SkippedSchemas = ["mysql", "information_schema", "performance_schema", "sys", "replicakeeper"];

    public async Task<SnapshotInfo> TakeAsync(SnapshotOptions options, IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var log = options.Logger;
        var builder = new MySqlConnectionStringBuilder(StandbyConnections.Normalize(options.StandbyConnectionString))
        {
            DefaultCommandTimeout = 0,
            Pooling = false,
            AllowZeroDateTime = true,
            ConvertZeroDateTime = false,
        };
        var (connection, flavor) = await StandbyConnections.OpenAsync(builder.ConnectionString, cancellationToken).ConfigureAwait(false);
        await using var _ = connection.ConfigureAwait(false);
        var takenAt = DateTimeOffset.UtcNow;
        var id = "snap-" + takenAt.ToString("yyyyMMdd-HHmmss-ffffff", CultureInfo.InvariantCulture);
        var applied = await PositionStore.ReadAsync(connection, options.Channel, cancellationToken).ConfigureAwait(false);

        ConsistentSnapshot snapshot;
        if (applied is not null)
        {
            await connection.ExecuteAsync("SET SESSION time_zone = '+00:00'", cancellationToken).ConfigureAwait(false);
            await connection.ExecuteAsync("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ", cancellationToken).ConfigureAwait(false);
            snapshot = await ConsistentSnapshot.StartWithoutPositionAsync(connection, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            snapshot = await ConsistentSnapshot.StartAsync(connection, flavor, cancellationToken).ConfigureAwait(false);
        }

        await using var __ = snapshot.ConfigureAwait(false);
        SnapshotPosition position;
        SnapshotPosition? idempotentUntil = null;
        DateTimeOffset? appliedAt = null;
        if (applied is not null)
        {
            // Read inside the snapshot: committed atomically with the data it describes.
            var inside = await PositionStore.ReadAsync(connection, options.Channel, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"the standby's applied_position row for channel '{options.Channel}' vanished during the snapshot");
            position = SnapshotPosition.From(inside.Position, inside.LastTransaction, SnapshotPositionOrigin.AppliedPosition);
            idempotentUntil = inside.IdempotentUntil is { } until ? SnapshotPosition.From(until, null, SnapshotPositionOrigin.AppliedPosition) : null;
            appliedAt = new DateTimeOffset(DateTime.SpecifyKind(inside.UpdatedAt, DateTimeKind.Utc));
        }
        else
        {
            log.Warning("The standby has no replicakeeper.applied_position row for channel {Channel}: the snapshot is stamped with the standby's own GTID state", options.Channel);
            position = SnapshotPosition.From(snapshot.Low, null, SnapshotPositionOrigin.StandbyGtids);
            idempotentUntil = snapshot.IsExact ? null : SnapshotPosition.From(snapshot.High, null, SnapshotPositionOrigin.StandbyGtids);
        }

        if (position.MySqlGtids is null && position.MariaDbGtids is null && position.Binlog is null)
        {
            throw new InvalidOperationException("the standby's position is empty: it has applied nothing yet, so the snapshot would correspond to no source position");
        }

        var header = new SnapshotHeader(id, FormatName, flavor == ServerFlavor.MariaDb, connection.ServerVersion, takenAt, position, idempotentUntil);
        Directory.CreateDirectory(Path.Combine(layout.Root, DirectoryName));
        var storedName = DirectoryName + "/" + id + ".rks" + (key is null ? ".zst" : ".zst.aes");
        var storedPath = Path.Combine(layout.Root, storedName);
        var counts = new SnapshotTableEnd(0);
        var hashes = await SealedFile.WriteAsync(storedPath, key, "snapshot " + id, async (original, ct) =>
        {
            // Records are written whole (row batches of up to BatchBytes): no extra buffering needed.
            var writer = new SnapshotStreamWriter(original);
            await writer.WriteMagicAsync(ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.Header, header, ct).ConfigureAwait(false);
            counts = await WriteContentsAsync(connection, writer, options, progress, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.End, counts, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);

        var commitTime = await SourceCommitTimeAsync(position, cancellationToken).ConfigureAwait(false) ?? appliedAt;
        var entry = await Manifest.AppendAsync(layout, new ManifestEntry
        {
            Kind = ManifestEntry.SnapshotKind,
            Segment = id,
            StoredName = storedName,
            Compression = SegmentCodec.Zstd,
            Encryption = key is null ? null : SegmentCodec.AesGcm,
            KeyId = key?.KeyId,
            OriginalSize = hashes.OriginalSize,
            StoredSize = hashes.StoredSize,
            OriginalSha256 = hashes.OriginalSha256,
            StoredSha256 = hashes.StoredSha256,
            IsMariaDb = header.IsMariaDb,
            ServerVersion = header.ServerVersion,
            RecordedAt = DateTimeOffset.UtcNow,
            Snapshot = new ManifestSnapshot
            {
                SourceFile = position.File,
                SourceOffset = position.Offset,
                Gtids = position.MySqlGtids ?? position.MariaDbGtids,
                LastTransaction = position.LastTransaction,
                PositionOrigin = position.Origin.ToString(),
                SourceCommitTime = commitTime,
                TakenAt = takenAt,
                Tables = counts.Tables,
                Rows = counts.Rows,
            },
        }, cancellationToken).ConfigureAwait(false);
        log.Information("Snapshot {Id} taken at {Position}: {Tables} tables, {Rows} rows, {Stored} bytes stored", id, position.ToString(), counts.Tables, counts.Rows, hashes.StoredSize);
        return SnapshotCatalog.ToInfo(layout, entry);
    }

    private static async Task<SnapshotTableEnd> WriteContentsAsync(
        MySqlConnection connection, SnapshotStreamWriter writer, SnapshotOptions options, IProgress<SnapshotProgress>? progress, CancellationToken ct)
    {
        var objects = await ListObjectsAsync(connection, ct).ConfigureAwait(false);
        foreach (var schema in objects.Schemas)
        {
            var create = await ShowCreateAsync(connection, "SHOW CREATE DATABASE " + Quote(schema), 1, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.Database, new SnapshotObject(schema, schema, create), ct).ConfigureAwait(false);
        }

        long totalRows = 0;
        var done = 0;
        foreach (var (schema, name) in objects.Tables)
        {
            progress?.Report(new SnapshotProgress(schema + "." + name, done, objects.Tables.Count, totalRows));
            var create = await ShowCreateAsync(connection, "SHOW CREATE TABLE " + Quote(schema) + "." + Quote(name), 1, ct).ConfigureAwait(false);
            var columns = await ColumnsAsync(connection, schema, name, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.Table, new SnapshotTable(schema, name, create, columns), ct).ConfigureAwait(false);
            var rows = await WriteRowsAsync(connection, writer, schema, name, columns, options, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.TableEnd, new SnapshotTableEnd(rows), ct).ConfigureAwait(false);
            totalRows += rows;
            done++;
        }

        foreach (var (schema, name) in objects.Views)
        {
            var create = await ShowCreateAsync(connection, "SHOW CREATE VIEW " + Quote(schema) + "." + Quote(name), 1, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.View, new SnapshotObject(schema, name, WithoutDefiner(create)), ct).ConfigureAwait(false);
        }

        foreach (var (schema, name) in objects.Triggers)
        {
            var create = await ShowCreateAsync(connection, "SHOW CREATE TRIGGER " + Quote(schema) + "." + Quote(name), 2, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.Trigger, new SnapshotObject(schema, name, WithoutDefiner(create)), ct).ConfigureAwait(false);
        }

        progress?.Report(new SnapshotProgress(null, done, objects.Tables.Count, totalRows));
        return new SnapshotTableEnd(totalRows, objects.Tables.Count);
    }

    private static async Task<long> WriteRowsAsync(
        MySqlConnection connection, SnapshotStreamWriter writer, string schema, string table, IReadOnlyList<SnapshotColumn> columns, SnapshotOptions options, CancellationToken ct)
    {
        if (columns.Count == 0)
        {
            return 0;
        }

        var select = "SELECT " + string.Join(", ", columns.Select(c => c.Kind == SnapshotColumnKind.Float
            ? $"CAST({Quote(c.Name)} + 0e0 AS BINARY)"
            : $"CAST({Quote(c.Name)} AS BINARY)")) + " FROM " + Quote(schema) + "." + Quote(table);
        await using var command = new MySqlCommand(select, connection);
        await using var reader = await command.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct).ConfigureAwait(false);
        var batch = new MemoryStream(options.BatchBytes + (1 << 16));
        var lengthBuffer = new byte[10];
        long rows = 0;
        var inBatch = 0;
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            for (var i = 0; i < columns.Count; i++)
            {
                if (await reader.IsDBNullAsync(i, ct).ConfigureAwait(false))
                {
                    batch.WriteByte(0);
                    continue;
                }

                var value = reader.GetFieldValue<byte[]>(i);
                var n = SnapshotRows.WriteVarint(lengthBuffer, (ulong)value.Length + 1);
                batch.Write(lengthBuffer, 0, n);
                batch.Write(value);
            }

            rows++;
            if (++inBatch >= options.BatchRows || batch.Length >= options.BatchBytes)
            {
                await writer.WriteAsync(SnapshotRecordType.Rows, batch.GetBuffer().AsMemory(0, (int)batch.Length), ct).ConfigureAwait(false);
                batch.SetLength(0);
                inBatch = 0;
            }
        }

        if (inBatch > 0)
        {
            await writer.WriteAsync(SnapshotRecordType.Rows, batch.GetBuffer().AsMemory(0, (int)batch.Length), ct).ConfigureAwait(false);
        }

        return rows;
    }

    private static async Task<(List<string> Schemas, List<(string, string)> Tables, List<(string, string)> Views, List<(string, string)> Triggers)> ListObjectsAsync(
        MySqlConnection connection, CancellationToken ct)
    {
        var skipped = string.Join(", ", SkippedSchemas.Select(s => "'" + s + "'"));
        var schemas = new List<string>();
        await foreach (var row in QueryAsync(connection, $"SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ({skipped}) ORDER BY SCHEMA_NAME", ct).ConfigureAwait(false))
        {
            schemas.Add(row[0]);
        }

        var tables = new List<(string, string)>();
        var views = new List<(string, string)>();
        await foreach (var row in QueryAsync(connection,
            $"SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA NOT IN ({skipped}) ORDER BY TABLE_SCHEMA, TABLE_NAME", ct).ConfigureAwait(false))
        {
            if (row[2] == "VIEW")
            {
                views.Add((row[0], row[1]));
            }
            else if (row[2] is "BASE TABLE" or "SYSTEM VERSIONED")
            {
                tables.Add((row[0], row[1]));
            }
        }

        var triggers = new List<(string, string)>();
        await foreach (var row in QueryAsync(connection,
            $"SELECT TRIGGER_SCHEMA, TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA NOT IN ({skipped}) ORDER BY TRIGGER_SCHEMA, EVENT_OBJECT_TABLE, ACTION_ORDER", ct).ConfigureAwait(false))
        {
            triggers.Add((row[0], row[1]));
        }

        return (schemas, tables, views, triggers);
    }

    private static async Task<IReadOnlyList<SnapshotColumn>> ColumnsAsync(MySqlConnection connection, string schema, string table, CancellationToken ct)
    {
        var columns = new List<SnapshotColumn>();
        await using var command = new MySqlCommand(
            "SELECT COLUMN_NAME, DATA_TYPE, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = @schema AND TABLE_NAME = @table ORDER BY ORDINAL_POSITION",
            connection);
        command.Parameters.AddWithValue("@schema", schema);
        command.Parameters.AddWithValue("@table", table);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var extra = reader.IsDBNull(2) ? "" : reader.GetString(2);
            if (extra.Contains("VIRTUAL GENERATED", StringComparison.OrdinalIgnoreCase)
                || extra.Contains("STORED GENERATED", StringComparison.OrdinalIgnoreCase)
                || extra.Contains("PERSISTENT", StringComparison.OrdinalIgnoreCase))
            {
                continue; // computed by the server on load
            }

            columns.Add(new SnapshotColumn(reader.GetString(0), KindOf(reader.GetString(1))));
        }

        return columns;
    }

    internal static SnapshotColumnKind KindOf(string dataType) => dataType.ToUpperInvariant() switch
    {
        "TINYINT" or "SMALLINT" or "MEDIUMINT" or "INT" or "INTEGER" or "BIGINT" or "DECIMAL" or "NUMERIC" or "DOUBLE" or "REAL" or "DOUBLE PRECISION" or "YEAR"
            => SnapshotColumnKind.Number,
        "FLOAT" => SnapshotColumnKind.Float,
        "JSON" => SnapshotColumnKind.Json,
        _ => SnapshotColumnKind.Bytes,
    };

    private static async Task<string> ShowCreateAsync(MySqlConnection connection, string sql, int column, CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"'{sql}' returned nothing (dropped during the snapshot?)");
        }

        return reader.GetString(column);
    }

    private static async IAsyncEnumerable<string[]> QueryAsync(MySqlConnection connection, string sql, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var command = new MySqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            var row = new string[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.GetString(i);
            }

            yield return row;
        }
    }

    /// <summary>The commit time of the archived transaction that ends at the snapshot's position, when the archive has it.</summary>
    private async Task<DateTimeOffset?> SourceCommitTimeAsync(SnapshotPosition position, CancellationToken ct)
    {
        if (position.Binlog is not { } at)
        {
            return null;
        }

        try
        {
            var source = await ArchiveSource.OpenAsync(layout.Root, key, ct).ConfigureAwait(false);
            var segment = source.Segments.FirstOrDefault(s => s.Name == at.File);
            if (segment is null)
            {
                return null;
            }

            DateTimeOffset? time = null;
            await foreach (var transaction in new TransactionReader(source, keepRawBytes: false).ReadAsync([segment], ct).ConfigureAwait(false))
            {
                if (transaction.End.Offset > at.Offset)
                {
                    break;
                }

                time = transaction.CommitTime;
            }

            return time;
        }
        catch (Exception ex) when (ex is IOException or ArchiveGapException or InvalidDataException or ArchiveKeyException)
        {
            return null; // the standby's apply time stands in (never earlier than the commit)
        }
    }

    private static string Quote(string identifier) => SqlText.Quote(identifier);

    private static string WithoutDefiner(string create) => Definer().Replace(create, " ");

    [GeneratedRegex(@"\s+DEFINER\s*=\s*(`[^`]*`|'[^']*'|\S+)@(`[^`]*`|'[^']*'|\S+)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex Definer();
}
