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
/// InnoDB consistent snapshots (<see cref="ConsistentSnapshot"/>) are read: inside them, the standby's
/// <c>replicakeeper.applied_position</c> names exactly the source transactions the data holds (the applier commits it
/// with the data). Without a position table, the standby's own GTID state is used instead (and said so in
/// <see cref="SnapshotPosition.Origin"/>). Every user schema but <c>replicakeeper</c> is written: CREATE DATABASE,
/// CREATE TABLE and rows (each value the server's exact text or bytes, see <see cref="SnapshotColumnKind"/>), then
/// views, triggers, stored procedures and functions, and events (<see cref="SnapshotDefinitions"/>).
/// </para>
/// <para>
/// Tables are read by <see cref="SnapshotOptions.Connections"/> connections at once (default min(4, tables)), each
/// inside a snapshot proven to be of the same state (<see cref="SnapshotSessions"/>: the applied_position row read in
/// each is the same), into one deterministic stream in catalog order (<see cref="ParallelTableCopier"/>). With one
/// connection, or when the snapshots cannot be started at one state, the tables are read one after the other.
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
    private const string SkippedList = "'mysql', 'information_schema', 'performance_schema', 'sys', 'replicakeeper'";

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
        var wanted = options.Connections ?? Math.Min(4, Math.Max(1, await CountTablesAsync(connection, cancellationToken).ConfigureAwait(false)));
        if (wanted < 1)
        {
            throw new ArgumentException($"{nameof(SnapshotOptions.Connections)} must be at least 1 (it is {wanted})", nameof(options));
        }

        var sessions = await SnapshotSessions.StartAsync(
            connection, flavor, builder.ConnectionString, wanted, options.Channel, Math.Max(1, options.ParallelAttempts), cancellationToken).ConfigureAwait(false);
        await using var __ = sessions.ConfigureAwait(false);
        if (sessions.FallbackReason is { } reason)
        {
            log.Warning("Snapshot read with {Connections} connection(s) instead of {Wanted}: {Reason}", sessions.Connections.Count, wanted, reason);
        }

        SnapshotPosition position;
        SnapshotPosition? idempotentUntil = null;
        DateTimeOffset? appliedAt = null;
        if (sessions.Applied is { } inside)
        {
            // Read inside the snapshot: committed atomically with the data it describes.
            position = SnapshotPosition.From(inside.Position, inside.LastTransaction, SnapshotPositionOrigin.AppliedPosition);
            idempotentUntil = inside.IdempotentUntil is { } until ? SnapshotPosition.From(until, null, SnapshotPositionOrigin.AppliedPosition) : null;
            appliedAt = new DateTimeOffset(DateTime.SpecifyKind(inside.UpdatedAt, DateTimeKind.Utc));
        }
        else
        {
            var snapshot = sessions.Primary;
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
            counts = await WriteContentsAsync(sessions.Connections, writer, options, progress, ct).ConfigureAwait(false);
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
        log.Information("Snapshot {Id} taken at {Position}: {Tables} tables, {Rows} rows, {Stored} bytes stored, read with {Connections} connection(s)",
            id, position.ToString(), counts.Tables, counts.Rows, hashes.StoredSize, sessions.Connections.Count);
        return SnapshotCatalog.ToInfo(layout, entry) with { ReadConnections = sessions.Connections.Count, ParallelFallback = sessions.FallbackReason };
    }

    private static async Task<SnapshotTableEnd> WriteContentsAsync(
        IReadOnlyList<MySqlConnection> connections, SnapshotStreamWriter writer, SnapshotOptions options, IProgress<SnapshotProgress>? progress, CancellationToken ct)
    {
        var connection = connections[0];
        var objects = await ListObjectsAsync(connection, ct).ConfigureAwait(false);
        foreach (var schema in objects.Schemas)
        {
            var create = await SnapshotTableReader.ShowCreateAsync(connection, "SHOW CREATE DATABASE " + Quote(schema), 1, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.Database, new SnapshotObject(schema, schema, create), ct).ConfigureAwait(false);
        }

        long totalRows = 0;
        if (connections.Count > 1 && objects.Tables.Count > 1)
        {
            var rows = await ParallelTableCopier.CopyAsync(connections, objects.Tables, writer, options, (i, before) =>
                progress?.Report(new SnapshotProgress(objects.Tables[i].Item1 + "." + objects.Tables[i].Item2, i, objects.Tables.Count, before)), ct).ConfigureAwait(false);
            totalRows = rows.Sum();
        }
        else
        {
            var done = 0;
            foreach (var (schema, name) in objects.Tables)
            {
                progress?.Report(new SnapshotProgress(schema + "." + name, done, objects.Tables.Count, totalRows));
                totalRows += await SnapshotTableReader.CopyAsync(connection, schema, name, writer, options, ct).ConfigureAwait(false);
                done++;
            }
        }

        foreach (var (schema, name) in objects.Views)
        {
            var create = await SnapshotTableReader.ShowCreateAsync(connection, "SHOW CREATE VIEW " + Quote(schema) + "." + Quote(name), 1, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.View, new SnapshotObject(schema, name, WithoutDefiner(create)), ct).ConfigureAwait(false);
        }

        foreach (var (schema, name) in objects.Triggers)
        {
            var create = await SnapshotTableReader.ShowCreateAsync(connection, "SHOW CREATE TRIGGER " + Quote(schema) + "." + Quote(name), 2, ct).ConfigureAwait(false);
            await writer.WriteJsonAsync(SnapshotRecordType.Trigger, new SnapshotObject(schema, name, WithoutDefiner(create)), ct).ConfigureAwait(false);
        }

        foreach (var routine in await SnapshotDefinitions.ReadRoutinesAsync(connection, SkippedList, ct).ConfigureAwait(false))
        {
            await writer.WriteJsonAsync(SnapshotRecordType.Routine, routine, ct).ConfigureAwait(false);
        }

        foreach (var definition in await SnapshotDefinitions.ReadEventsAsync(connection, SkippedList, ct).ConfigureAwait(false))
        {
            await writer.WriteJsonAsync(SnapshotRecordType.Event, definition, ct).ConfigureAwait(false);
        }

        progress?.Report(new SnapshotProgress(null, objects.Tables.Count, objects.Tables.Count, totalRows));
        return new SnapshotTableEnd(totalRows, objects.Tables.Count);
    }

    private static async Task<int> CountTablesAsync(MySqlConnection connection, CancellationToken ct) =>
        int.Parse(await connection.ScalarTextAsync(
            $"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA NOT IN ({SkippedList}) AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')", ct).ConfigureAwait(false) ?? "0",
            CultureInfo.InvariantCulture);

    private static async Task<(List<string> Schemas, List<(string, string)> Tables, List<(string, string)> Views, List<(string, string)> Triggers)> ListObjectsAsync(
        MySqlConnection connection, CancellationToken ct)
    {
        var skipped = SkippedList;
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

    internal static string WithoutDefiner(string create) => Definer().Replace(create, " ");

    [GeneratedRegex(@"\s+DEFINER\s*=\s*(`[^`]*`|'[^']*'|\S+)@(`[^`]*`|'[^']*'|\S+)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex Definer();
}
