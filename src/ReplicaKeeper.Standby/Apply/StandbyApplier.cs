using System.Globalization;
using MySqlConnector;
using Polly;
using Polly.Retry;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// Keeps a standby in step with its source, exactly once: each source transaction becomes one standby transaction
/// that also writes <c>replicakeeper.applied_position</c>, so after a crash the standby resumes from exactly what it
/// committed. DDL (not transactional) is made idempotent per flavour: MySQL runs it with the source's GTID as
/// <c>gtid_next</c> (a GTID the standby already has is skipped by the server itself); MariaDB records a pending
/// marker with the standby GTID the DDL will get, and after a crash looks that GTID up in <c>@@gtid_binlog_state</c>.
/// Standby connection failures are retried (Polly); the source connection resumes on its own (ReplicaClient).
/// </summary>
public sealed class StandbyApplier(StandbyOptions options)
{
    private const string RowSqlMode = "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

    /// <summary>
    /// MariaDB: the standby's own GTID domain for DDL markers and the DDL itself. Nothing else writes to it, so the last
    /// sequence number of (this domain, the standby's server id) in @@gtid_binlog_state tells exactly whether the DDL ran.
    /// </summary>
    private const uint DdlMarkerDomain = 0x524B;
    private readonly StandbyOptions _options = options ?? throw new ArgumentNullException(nameof(options));
    private readonly Serilog.ILogger _log = options.Logger;
    private long _transactions;

    /// <summary>Source transactions committed on the standby by this instance (all sessions).</summary>
    public long TransactionsApplied => Interlocked.Read(ref _transactions);

    /// <summary>Applies until cancelled (or, with <see cref="StandbyOptions.StopAtEnd"/>, until the source's binlog end).</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        _options.Validate();
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<MySqlException>(IsStandbyUnavailable),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(200),
                MaxDelay = TimeSpan.FromSeconds(5),
                MaxRetryAttempts = int.MaxValue,
                OnRetry = args =>
                {
                    _log.Warning(args.Outcome.Exception, "Standby unavailable; retrying in {Delay} (attempt {Attempt})", args.RetryDelay, args.AttemptNumber + 1);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
        await pipeline.ExecuteAsync(async token => await RunSessionAsync(token).ConfigureAwait(false), ct).ConfigureAwait(false);
    }

    private static bool IsStandbyUnavailable(MySqlException e) =>
        e.IsTransient
        || e.ErrorCode is MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.ServerShutdown or MySqlErrorCode.QueryInterrupted
        || e.InnerException is IOException or System.Net.Sockets.SocketException or EndOfStreamException;

    private async Task RunSessionAsync(CancellationToken ct)
    {
        var (target, flavor) = await StandbyConnections.OpenAsync(options.TargetConnectionString, ct).ConfigureAwait(false);
        await using var connection = target;
        await PositionStore.EnsureSchemaAsync(connection, ct).ConfigureAwait(false);
        await connection.ExecuteAsync("SET SESSION time_zone = '+00:00'", ct).ConfigureAwait(false);
        await connection.ExecuteAsync($"SET SESSION sql_mode = '{RowSqlMode}'", ct).ConfigureAwait(false);

        var applied = await PositionStore.ReadAsync(connection, options.Channel, ct).ConfigureAwait(false);
        var start = applied?.Position ?? options.StartPosition
            ?? throw new StandbyApplyException($"The standby has no applied position for channel '{options.Channel}': seed it with `replicakeeper standby init` first (or give a start position).");
        var session = new ApplySession(this, connection, flavor, applied, start);
        await session.ResolvePendingDdlAsync(ct).ConfigureAwait(false);

        var replication = new ReplicationOptions
        {
            Connection = ConnectionOptions.Parse(options.SourceConnectionString),
            StopAtEnd = options.StopAtEnd,
            Logger = _log,
        };
        if (options.ServerId is { } serverId)
        {
            replication = replication with { ServerId = serverId };
        }

        var client = new ReplicaClient(replication);
        _log.Information("Standby channel {Channel} starting at {Position}", options.Channel, start);
        await foreach (var item in client.OpenStream(ToCheckpoint(start, flavor)).WithCancellation(ct).ConfigureAwait(false))
        {
            await session.HandleAsync(item, ct).ConfigureAwait(false);
        }

        await session.RollbackAsync().ConfigureAwait(false);
    }

    private static ReplicationCheckpoint ToCheckpoint(StandbyPosition position, ServerFlavor flavor)
    {
        // a standby has the source's flavour: prefer that flavour's GTIDs when the position carries both
        if (flavor == ServerFlavor.MariaDb && position.MariaDbGtids is { } mariaDb)
        {
            return ReplicationCheckpoint.FromMariaDbGtids(mariaDb);
        }

        if (position.MySqlGtids is { } gtids)
        {
            return ReplicationCheckpoint.FromGtidSet(gtids);
        }

        if (position.MariaDbGtids is { } list)
        {
            return ReplicationCheckpoint.FromMariaDbGtids(list);
        }

        return ReplicationCheckpoint.FromPosition(position.File ?? throw new StandbyApplyException("The applied position is empty."));
    }

    /// <summary>One connection's worth of applying: the open standby transaction and the table appliers.</summary>
    private sealed class ApplySession(StandbyApplier owner, MySqlConnection connection, ServerFlavor flavor, AppliedPosition? applied, StandbyPosition start)
    {
        private readonly Dictionary<TableName, TableApplier> _tables = [];
        private StandbyPosition _position = start;
        private StandbyPosition? _idempotentUntil = applied?.IdempotentUntil;
        private MySqlTransaction? _transaction;
        private string? _gtid;
        private string? _ddlAlreadyRun;
        private bool? _foreignKeyChecks;

        private StandbyOptions Options => owner._options;

        private bool InSeedingWindow => _idempotentUntil is not null && !_position.Covers(_idempotentUntil);

        /// <summary>After a crash between a MariaDB DDL and its record: find out whether the DDL ran.</summary>
        public async Task ResolvePendingDdlAsync(CancellationToken ct)
        {
            if (applied?.PendingDdl is not { } pending || applied.PendingDdlMarker is not { } marker)
            {
                return;
            }

            var state = await connection.ScalarTextAsync("SELECT @@GLOBAL.gtid_binlog_state", ct).ConfigureAwait(false) ?? "";
            var wanted = MariaDbGtid.Parse(marker);
            var ran = state.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(MariaDbGtid.Parse)
                .Any(g => g.DomainId == wanted.DomainId && g.ServerId == wanted.ServerId && g.Sequence >= wanted.Sequence);
            owner._log.Warning("Recovering DDL {Transaction} interrupted by a crash: it {Outcome}", pending, ran ? "ran; it will be recorded, not run again" : "did not run; it will run now");
            _ddlAlreadyRun = ran ? pending : null;
        }

        public async Task HandleAsync(ReplicationEvent item, CancellationToken ct)
        {
            switch (item.Kind)
            {
                case ReplicationEventKind.Heartbeat:
                    return;
                case ReplicationEventKind.TransactionAborted:
                    await RollbackAsync().ConfigureAwait(false);
                    return;
            }

            await HandleEventAsync(item, item.Event, ct).ConfigureAwait(false);
        }

        private async Task HandleEventAsync(ReplicationEvent item, BinlogEvent binlogEvent, CancellationToken ct)
        {
            switch (binlogEvent)
            {
                case GtidEvent or MariaDbGtidEvent:
                    await RollbackAsync().ConfigureAwait(false);
                    _gtid = item.TransactionGtid;
                    break;
                case TransactionPayloadEvent payload:
                    foreach (var nested in payload.Events)
                    {
                        await HandleEventAsync(item with { CompletesTransaction = false }, nested, ct).ConfigureAwait(false);
                    }

                    if (item.CompletesTransaction)
                    {
                        await CommitAsync(item, ct).ConfigureAwait(false);
                    }

                    break;
                case QueryEvent query when query.IsBegin:
                    await BeginAsync(ct).ConfigureAwait(false);
                    break;
                case QueryEvent query when query.IsCommit:
                    await CommitAsync(item, ct).ConfigureAwait(false);
                    break;
                case QueryEvent query when query.IsRollback:
                    await RollbackAsync().ConfigureAwait(false);
                    break;
                case QueryEvent query when _transaction is null:
                    await ApplyDdlAsync(item, query, ct).ConfigureAwait(false);
                    break;
                case QueryEvent query:
                    // a statement inside a transaction (SAVEPOINT, statement-based DML): run it in the transaction
                    await ExecuteInTransactionAsync(query, ct).ConfigureAwait(false);
                    break;
                case RowsEvent rows:
                    await ApplyRowsAsync(rows, ct).ConfigureAwait(false);
                    break;
                case XidEvent:
                    await CommitAsync(item, ct).ConfigureAwait(false);
                    break;
            }
        }

        private async Task BeginAsync(CancellationToken ct) =>
            _transaction ??= await connection.BeginTransactionAsync(ct).ConfigureAwait(false);

        public async Task RollbackAsync()
        {
            if (_transaction is null)
            {
                return;
            }

            try
            {
                await _transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (MySqlException)
            {
                // connection lost: the server rolled back
            }
            catch (InvalidOperationException)
            {
                // connection closed
            }

            await _transaction.DisposeAsync().ConfigureAwait(false);
            _transaction = null;
        }

        private async Task ApplyRowsAsync(RowsEvent rows, CancellationToken ct)
        {
            var table = new TableName(rows.Table.Schema, rows.Table.Table);
            if (TableName.IsExcludedSchema(table.Schema))
            {
                return;
            }

            await BeginAsync(ct).ConfigureAwait(false);
            var foreignKeyChecks = (rows.Flags & RowsEvent.NoForeignKeyChecksFlag) == 0;
            if (_foreignKeyChecks != foreignKeyChecks)
            {
                await connection.ExecuteAsync($"SET SESSION foreign_key_checks = {(foreignKeyChecks ? 1 : 0)}", ct, _transaction).ConfigureAwait(false);
                _foreignKeyChecks = foreignKeyChecks;
            }

            if (!_tables.TryGetValue(table, out var applier))
            {
                var info = await SchemaCatalog.DescribeAsync(connection, table, ct, _transaction).ConfigureAwait(false)
                    ?? throw new StandbyApplyException($"Source transaction {_gtid ?? "(no GTID)"} changes {table}, which does not exist on the standby (seed it with `replicakeeper standby init`).");
                _tables[table] = applier = new TableApplier(info, flavor);
            }

            var policy = InSeedingWindow ? ConflictPolicy.Overwrite : Options.OnConflict;
            await applier.ApplyAsync(rows, connection, _transaction!, _gtid, policy, ct).ConfigureAwait(false);
        }

        private async Task ExecuteInTransactionAsync(QueryEvent query, CancellationToken ct)
        {
            await UseSchemaAsync(query.Schema, ct).ConfigureAwait(false);
            await connection.ExecuteAsync(query.Query, ct, _transaction).ConfigureAwait(false);
        }

        private async Task CommitAsync(ReplicationEvent item, CancellationToken ct)
        {
            await BeginAsync(ct).ConfigureAwait(false);
            var position = Next(item);
            await PositionStore.WriteAsync(connection, _transaction, Record(position, null, null), ct).ConfigureAwait(false);
            await _transaction!.CommitAsync(ct).ConfigureAwait(false);
            await _transaction.DisposeAsync().ConfigureAwait(false);
            _transaction = null;
            Advance(position);
        }

        private StandbyPosition Next(ReplicationEvent item) =>
            new(item.Checkpoint.GtidSet, item.Checkpoint.MariaDbGtids, item.Checkpoint.Position ?? item.NextPosition);

        private void Advance(StandbyPosition position)
        {
            _position = position;
            if (_idempotentUntil is not null && position.Covers(_idempotentUntil))
            {
                _idempotentUntil = null;
            }

            _gtid = null;
            Interlocked.Increment(ref owner._transactions);
        }

        private AppliedPosition Record(StandbyPosition position, string? pendingDdl, string? marker) =>
            new(Options.Channel, position, _gtid ?? position.File?.ToString(), _idempotentUntil is not null && !position.Covers(_idempotentUntil) ? _idempotentUntil : null, pendingDdl, marker, DateTime.UtcNow);

        /// <summary>A statement outside a transaction: DDL (or account management). Recorded so it never runs twice.</summary>
        private async Task ApplyDdlAsync(ReplicationEvent item, QueryEvent query, CancellationToken ct)
        {
            var position = Next(item);
            var transactionId = _gtid ?? item.File + ":" + (item.Offset ?? 0).ToString(CultureInfo.InvariantCulture);
            var skip = TableName.IsExcludedSchema(query.Schema) && query.Schema == TableName.PositionSchemaName
                || await PositionStore.IsDdlAppliedAsync(connection, Options.Channel, transactionId, ct).ConfigureAwait(false);
            if (!skip && _ddlAlreadyRun != transactionId)
            {
                if (InSeedingWindow)
                {
                    throw new StandbyApplyException($"DDL of source transaction {transactionId} was committed while the standby was being seeded ('{query.Query}'); it cannot be applied idempotently. Run `replicakeeper standby init` again.");
                }

                await RunDdlAsync(query, transactionId, ct).ConfigureAwait(false);
            }

            _ddlAlreadyRun = null;
            _tables.Clear();
            await BeginAsync(ct).ConfigureAwait(false);
            if (!skip)
            {
                await PositionStore.RecordDdlAsync(connection, _transaction, Options.Channel, transactionId, query.Schema.Length == 0 ? null : query.Schema, query.Query, ct).ConfigureAwait(false);
            }

            await PositionStore.WriteAsync(connection, _transaction, Record(position, null, null), ct).ConfigureAwait(false);
            await _transaction!.CommitAsync(ct).ConfigureAwait(false);
            await _transaction.DisposeAsync().ConfigureAwait(false);
            _transaction = null;
            Advance(position);
        }

        private async Task RunDdlAsync(QueryEvent query, string transactionId, CancellationToken ct)
        {
            var useSourceGtid = flavor == ServerFlavor.MySql && _gtid is not null && Gtid.TryParse(_gtid, out _);
            if (flavor == ServerFlavor.MariaDb)
            {
                await WriteMariaDbDdlMarkerAsync(transactionId, ct).ConfigureAwait(false);
            }

            await UseSchemaAsync(query.Schema, ct).ConfigureAwait(false);
            await SetSessionFromAsync(query.StatusVariables, ct).ConfigureAwait(false);
            try
            {
                if (useSourceGtid)
                {
                    // a GTID the standby already executed makes the server skip the statement: a DDL that ran before a crash is not run again
                    await connection.ExecuteAsync($"SET SESSION gtid_next = '{_gtid}'", ct).ConfigureAwait(false);
                }

                await connection.ExecuteAsync(query.Query, ct).ConfigureAwait(false);
            }
            catch (MySqlException e) when (!IsStandbyUnavailable(e))
            {
                throw new StandbyApplyException($"DDL of source transaction {transactionId} failed on the standby (error {(int)e.ErrorCode}: {e.Message}): {query.Query}", e);
            }
            finally
            {
                if (useSourceGtid)
                {
                    await connection.ExecuteAsync("SET SESSION gtid_next = 'AUTOMATIC'", CancellationToken.None).ConfigureAwait(false);
                }

                if (flavor == ServerFlavor.MariaDb)
                {
                    await connection.ExecuteAsync("SET SESSION gtid_domain_id = DEFAULT", CancellationToken.None).ConfigureAwait(false);
                }

                await RestoreSessionAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// MariaDB: commits a marker naming the standby GTID the DDL is about to get (sequence numbers set explicitly),
        /// so a restart can tell from @@gtid_binlog_state whether the DDL ran.
        /// </summary>
        private async Task WriteMariaDbDdlMarkerAsync(string transactionId, CancellationToken ct)
        {
            var domain = DdlMarkerDomain;
            var serverId = uint.Parse(await connection.ScalarTextAsync("SELECT @@SESSION.server_id", ct).ConfigureAwait(false) ?? "0", CultureInfo.InvariantCulture);
            var binlogOn = await connection.ScalarTextAsync("SELECT @@GLOBAL.log_bin", ct).ConfigureAwait(false) == "1";
            if (!binlogOn)
            {
                return; // without a binlog there is no way to tell afterwards; the DDL record alone protects the common case
            }

            var current = MariaDbGtidList.Parse(await connection.ScalarTextAsync("SELECT @@GLOBAL.gtid_binlog_pos", ct).ConfigureAwait(false) ?? "");
            var sequence = current.TryGet(domain, out var last) ? last.Sequence : 0;
            var marker = new MariaDbGtid(domain, serverId, sequence + 2);
            await connection.ExecuteAsync($"SET SESSION gtid_domain_id = {DdlMarkerDomain}", ct).ConfigureAwait(false);
            await connection.ExecuteAsync($"SET SESSION gtid_seq_no = {sequence + 1}", ct).ConfigureAwait(false);
            await BeginAsync(ct).ConfigureAwait(false);
            await PositionStore.WriteAsync(connection, _transaction, Record(_position, transactionId, marker.ToString()), ct).ConfigureAwait(false);
            await _transaction!.CommitAsync(ct).ConfigureAwait(false);
            await _transaction.DisposeAsync().ConfigureAwait(false);
            _transaction = null;
            await connection.ExecuteAsync($"SET SESSION gtid_seq_no = {marker.Sequence}", ct).ConfigureAwait(false);
        }

        private async Task UseSchemaAsync(string schema, CancellationToken ct)
        {
            if (schema.Length == 0 || string.Equals(connection.Database, schema, StringComparison.Ordinal))
            {
                return;
            }

            try
            {
                await connection.ChangeDatabaseAsync(schema, ct).ConfigureAwait(false);
            }
            catch (MySqlException e) when (e.ErrorCode == MySqlErrorCode.UnknownDatabase)
            {
                // e.g. CREATE DATABASE run while that database was the default: statements name their objects
            }
        }

        /// <summary>The session settings the statement ran with on the source (those that change what DDL does).</summary>
        private async Task SetSessionFromAsync(QueryStatusVariables variables, CancellationToken ct)
        {
            if (variables.SqlMode is { } sqlMode)
            {
                await connection.ExecuteAsync($"SET SESSION sql_mode = {sqlMode.ToString(CultureInfo.InvariantCulture)}", ct).ConfigureAwait(false);
            }

            if (variables.TimeZone is { Length: > 0 } timeZone)
            {
                await using var command = new MySqlCommand("SET SESSION time_zone = @tz", connection);
                command.Parameters.AddWithValue("@tz", timeZone);
                await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }

            if (variables.Flags2 is { } flags2)
            {
                const uint noForeignKeyChecks = 0x0400_0000;
                await connection.ExecuteAsync($"SET SESSION foreign_key_checks = {((flags2 & noForeignKeyChecks) != 0 ? 0 : 1)}", ct).ConfigureAwait(false);
                _foreignKeyChecks = null;
            }

            if (variables.CharacterSetClient is { } client && variables.CollationConnection is { } collation && variables.CollationServer is { } server)
            {
                await connection.ExecuteAsync(
                    $"SET SESSION character_set_client = {client}, SESSION collation_connection = {collation}, SESSION collation_server = {server}", ct).ConfigureAwait(false);
            }
        }

        private async Task RestoreSessionAsync(CancellationToken ct)
        {
            await connection.ExecuteAsync($"SET SESSION sql_mode = '{RowSqlMode}', SESSION time_zone = '+00:00', NAMES utf8mb4", ct).ConfigureAwait(false);
        }
    }
}
