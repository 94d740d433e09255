using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Replication;
using ReplicaKeeper.Standby.Positions;
using ReplicaKeeper.Standby.Schema;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Apply;

/// <summary>
/// Applies source transactions, handed in as <see cref="ReplicationEvent"/>s from any producer (the live stream, binlog
/// files, archived segments), to one target connection, exactly once: each source transaction is committed on the
/// target together with its row of <c>replicakeeper.applied_position</c>, so after a crash the target says exactly
/// what it has. Transactions whose GTID the position already covers are skipped.
/// DDL (not transactional) is made idempotent per flavour: MySQL runs it with the source's GTID as <c>gtid_next</c>
/// (a GTID the target already has is skipped by the server itself); MariaDB records a pending marker with the target
/// GTID the DDL will get, and after a crash looks that GTID up in <c>@@gtid_binlog_state</c>.
/// <para>
/// Producers give each event Kind=Event, the decoded Event, RawBytes, File/Offset/NextOffset, TransactionGtid,
/// CompletesTransaction and Checkpoint (the position after the event's transaction once it completes);
/// <see cref="BinlogFileEvents"/> builds them from binlog files. Not thread-safe: one caller at a time.
/// </para>
/// </summary>
public sealed class EventApplier : IAsyncDisposable
{
    private const long NoSourceTime = long.MinValue;

    private const string RowSqlMode = "NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION";

    /// <summary>
    /// MariaDB: the target's own GTID domain for DDL markers and the DDL itself. Nothing else writes to it, so the last
    /// sequence number of (this domain, the target's server id) in @@gtid_binlog_state tells exactly whether the DDL ran.
    /// </summary>
    private const uint DdlMarkerDomain = 0x524B;

    /// <summary>Events kept for re-applying the complete transactions of an open group (beyond it, the group is committed).</summary>
    private const int MaxBufferedEvents = 5000;

    private readonly EventApplierOptions _options;
    private readonly Serilog.ILogger _log;
    private readonly MySqlConnection _connection;
    private readonly ServerFlavor _flavor;
    private readonly Dictionary<TableName, TableApplier> _tables = [];
    private StandbyPosition _position;
    private StandbyPosition? _idempotentUntil;
    private readonly List<ReplicationEvent> _groupEvents = [];
    private StandbyPosition _committedPosition;
    private StandbyPosition? _committedIdempotentUntil;
    private readonly StatementPipeline _pipeline;

    /// <summary>A target transaction is open (its START TRANSACTION may still wait in the pipeline).</summary>
    private bool _open;

    /// <summary>The channel's applied_position row exists (it did at open, or this applier committed one).</summary>
    private bool _positionRowExists;
    private TableApplier? _pendingTable;
    private string? _gtid;
    private string? _lastTransaction;
    private bool _sourceOpen;
    private bool _skipping;
    private int _grouped;
    private int _currentStart;
    private bool _bufferingCurrent = true;
    private string? _ddlAlreadyRun;
    private bool? _foreignKeyChecks;
    private long _transactions;
    private DateTimeOffset? _transactionSourceTime;
    private DateTimeOffset? _groupSourceTime;
    private long _committedSourceMicros = NoSourceTime;

    private EventApplier(EventApplierOptions options, MySqlConnection connection, ServerFlavor flavor, AppliedPosition? applied)
    {
        _options = options;
        _log = options.Logger;
        _connection = connection;
        _flavor = flavor;
        _pipeline = new StatementPipeline(connection);
        _positionRowExists = applied is not null;
        StartingPoint = applied;
        _position = _committedPosition = applied?.Position ?? options.StartPosition ?? new StandbyPosition(null, null, null);
        _idempotentUntil = _committedIdempotentUntil = applied?.IdempotentUntil;
    }

    /// <summary>What the target's position table held for the channel when the applier opened (null: nothing).</summary>
    public AppliedPosition? StartingPoint { get; }

    /// <summary>
    /// Everything applied so far: the starting point, then each complete source transaction (committed on the target,
    /// or waiting in the open group commit until <see cref="FlushAsync"/> or the group is full).
    /// </summary>
    public StandbyPosition Position => _position;

    /// <summary>What the target has committed (what its <c>applied_position</c> row says).</summary>
    public StandbyPosition CommittedPosition => _committedPosition;

    /// <summary>The target's flavour.</summary>
    public ServerFlavor Flavor => _flavor;

    /// <summary>Source transactions committed on the target by this applier.</summary>
    public long TransactionsApplied => Interlocked.Read(ref _transactions);

    /// <summary>
    /// When the last source transaction committed on the target was committed on the source: MySQL's
    /// immediate_commit_timestamp (microseconds) when the GTID event has it, otherwise the header timestamp (seconds)
    /// of the event that completed the transaction. Null until one is committed. Safe to read from another thread.
    /// </summary>
    public DateTimeOffset? LastCommittedSourceTime =>
        Interlocked.Read(ref _committedSourceMicros) is var micros && micros != NoSourceTime ? DateTimeOffset.UnixEpoch.AddTicks(micros * 10) : null;

    /// <summary>Batches of statements sent to the target (each one round trip).</summary>
    public long RoundTrips => _pipeline.RoundTrips;

    private bool InSeedingWindow => _idempotentUntil is not null && !_position.Covers(_idempotentUntil);

    /// <summary>
    /// Connects to the target, creates the position tables when missing, reads the channel's position and settles a
    /// DDL a crash interrupted.
    /// </summary>
    public static async Task<EventApplier> OpenAsync(EventApplierOptions options, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (connection, flavor) = await StandbyConnections.OpenAsync(options.TargetConnectionString, ct).ConfigureAwait(false);
        try
        {
            await PositionStore.EnsureSchemaAsync(connection, ct).ConfigureAwait(false);
            // the mark keeps the target's (guarded) triggers from firing a second time for rows the source's triggers wrote
            await connection.ExecuteAsync($"SET SESSION time_zone = '+00:00', SESSION sql_mode = '{RowSqlMode}', {TriggerGuard.SessionVariable} = 1", ct).ConfigureAwait(false);
            var applied = await PositionStore.ReadAsync(connection, options.Channel, ct).ConfigureAwait(false);
            var applier = new EventApplier(options, connection, flavor, applied);
            await applier.ResolvePendingDdlAsync(ct).ConfigureAwait(false);
            return applier;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Commits whatever complete source transactions are still uncommitted on the target (a transaction still open
    /// in the input stays open). Afterwards <c>applied_position</c> is current.
    /// </summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        if (!_sourceOpen)
        {
            await CommitGroupAsync(ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Rolls back what is not committed (a source transaction that never completed, and complete ones still waiting
    /// in the group: call <see cref="FlushAsync"/> first to keep those) and closes the connection.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        await RollbackAsync().ConfigureAwait(false);
        await ClearTablesAsync().ConfigureAwait(false);
        await _connection.DisposeAsync().ConfigureAwait(false);
    }

    internal static bool IsTargetUnavailable(MySqlException e) =>
        e.IsTransient
        || e.ErrorCode is MySqlErrorCode.UnableToConnectToHost or MySqlErrorCode.ServerShutdown or MySqlErrorCode.QueryInterrupted
        || e.InnerException is IOException or System.Net.Sockets.SocketException or EndOfStreamException;

    /// <summary>True when the target has the transaction this GTID event starts (it is skipped).</summary>
    private bool IsCovered(BinlogEvent gtidEvent) => gtidEvent switch
    {
        GtidEvent { IsAnonymous: false } mysql when _position.MySqlGtids is { } set => set.Contains(new Gtid(mysql.SourceId, mysql.Tag, mysql.Gno)),
        MariaDbGtidEvent maria when _position.MariaDbGtids is { } list => list.Covers(new MariaDbGtid(maria.DomainId, maria.Header.ServerId, maria.SequenceNumber)),
        _ => false,
    };

    /// <summary>After a crash between a MariaDB DDL and its record: find out whether the DDL ran.</summary>
    private async Task ResolvePendingDdlAsync(CancellationToken ct)
    {
        if (StartingPoint?.PendingDdl is not { } pending || StartingPoint.PendingDdlMarker is not { } marker)
        {
            return;
        }

        var state = await _connection.ScalarTextAsync("SELECT @@GLOBAL.gtid_binlog_state", ct).ConfigureAwait(false) ?? "";
        var wanted = MariaDbGtid.Parse(marker);
        var ran = state.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(MariaDbGtid.Parse)
            .Any(g => g.DomainId == wanted.DomainId && g.ServerId == wanted.ServerId && g.Sequence >= wanted.Sequence);
        _log.Warning("Recovering DDL {Transaction} interrupted by a crash: it {Outcome}", pending, ran ? "ran; it will be recorded, not run again" : "did not run; it will run now");
        _ddlAlreadyRun = ran ? pending : null;
    }

    /// <summary>
    /// Applies one event: heartbeats are ignored, an aborted transaction is rolled back, a GTID event starts a
    /// transaction (skipped entirely when the target already has it), the event that completes a transaction commits
    /// it with its checkpoint.
    /// </summary>
    public async Task HandleAsync(ReplicationEvent item, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(item);
        switch (item.Kind)
        {
            case ReplicationEventKind.Heartbeat:
                return;
            case ReplicationEventKind.TransactionAborted:
                _skipping = false;
                await AbandonSourceTransactionAsync(ct).ConfigureAwait(false);
                return;
        }

        if (item.Event is GtidEvent or MariaDbGtidEvent)
        {
            if (_sourceOpen)
            {
                // the previous transaction never completed (its end will not come): drop it
                await AbandonSourceTransactionAsync(ct).ConfigureAwait(false);
            }

            _skipping = IsCovered(item.Event);
            if (_skipping)
            {
                _log.Debug("Skipping transaction {Gtid}: the target already has it", item.TransactionGtid);
            }
        }

        if (_skipping)
        {
            _skipping = !item.CompletesTransaction;
            return;
        }

        if (_bufferingCurrent)
        {
            _groupEvents.Add(item);
            if (_groupEvents.Count - _currentStart > MaxBufferedEvents)
            {
                // a large transaction: it will end the group; its own events are not kept for a replay
                _groupEvents.RemoveRange(_currentStart, _groupEvents.Count - _currentStart);
                _bufferingCurrent = false;
            }
        }

        NoteSourceTime(item);
        await HandleEventAsync(item, item.Event, ct).ConfigureAwait(false);
    }

    /// <summary>The source commit time of the transaction this event belongs to (see <see cref="LastCommittedSourceTime"/>).</summary>
    private void NoteSourceTime(ReplicationEvent item)
    {
        if (item.Event is GtidEvent { ImmediateCommitTimestamp: > 0 } gtid)
        {
            _transactionSourceTime = DateTimeOffset.UnixEpoch.AddTicks((long)gtid.ImmediateCommitTimestamp * 10);
        }
        else if (item.Event is GtidEvent or MariaDbGtidEvent)
        {
            _transactionSourceTime = null;
        }

        if (item.CompletesTransaction && item.Event.Header.Timestamp > 0)
        {
            _transactionSourceTime ??= DateTimeOffset.FromUnixTimeSeconds(item.Event.Header.Timestamp);
        }
    }

    /// <summary>
    /// The open source transaction will not complete (aborted by the source, rolled back, or cut off): undo its
    /// changes. Complete transactions waiting in the same target transaction are rolled back with it and applied
    /// again from the events kept for that, then committed, so none is lost and none is applied twice.
    /// </summary>
    private async Task AbandonSourceTransactionAsync(CancellationToken ct)
    {
        var completed = _groupEvents.GetRange(0, Math.Min(_currentStart, _groupEvents.Count));
        var grouped = _grouped;
        await RollbackAsync().ConfigureAwait(false);
        if (grouped == 0)
        {
            return;
        }

        _log.Information("Re-applying {Count} complete transaction(s) rolled back with an abandoned one", grouped);
        foreach (var item in completed)
        {
            await HandleEventAsync(item, item.Event, ct).ConfigureAwait(false);
        }

        await CommitGroupAsync(ct).ConfigureAwait(false);
    }

    private async Task HandleEventAsync(ReplicationEvent item, BinlogEvent binlogEvent, CancellationToken ct)
    {
        switch (binlogEvent)
        {
            case MariaDbGtidEvent { IsStandalone: false }:
                // MariaDB writes no BEGIN event: a GTID event without the standalone flag opens a transaction, whose
                // statements (statement-based DML) belong in it, not in the DDL path
                _gtid = item.TransactionGtid;
                BeginSource();
                break;
            case GtidEvent or MariaDbGtidEvent:
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
                BeginSource();
                break;
            case QueryEvent query when query.IsCommit:
                await CommitAsync(item, ct).ConfigureAwait(false);
                break;
            case QueryEvent query when query.IsRollback:
                await AbandonSourceTransactionAsync(ct).ConfigureAwait(false);
                break;
            case QueryEvent query when !_sourceOpen:
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

    /// <summary>Opens the target transaction: its START TRANSACTION goes with the next statements sent.</summary>
    private void Begin()
    {
        if (!_open)
        {
            _pipeline.Add("START TRANSACTION");
            _open = true;
        }
    }

    private void BeginSource()
    {
        Begin();
        _sourceOpen = true;
    }

    /// <summary>Sends what the pipeline holds, before a statement that runs on its own (in the same transaction).</summary>
    private Task SendQueuedAsync(CancellationToken ct) => _pipeline.FlushAsync(ct);

    /// <summary>Commits the open target transaction: in the round trip of its last statements when none of them needs checking first.</summary>
    private async Task CommitTargetAsync(CancellationToken ct)
    {
        await _pipeline.FlushAsync(ct, commit: true).ConfigureAwait(false);
        _open = false;
        _positionRowExists = true;
    }

    /// <summary>Rolls the target back to its last commit: the open target transaction, queued rows, the group.</summary>
    private async Task RollbackAsync()
    {
        _pendingTable?.Discard();
        _pendingTable = null;
        _pipeline.Clear();
        _sourceOpen = false;
        _grouped = 0;
        _position = _committedPosition;
        _transactionSourceTime = null; // the group's completed transactions keep their time: they are applied again
        _idempotentUntil = _committedIdempotentUntil;
        ResetGroupEvents();
        if (!_open)
        {
            return;
        }

        _open = false;
        try
        {
            await _connection.ExecuteAsync("ROLLBACK", CancellationToken.None).ConfigureAwait(false);
        }
        catch (MySqlException)
        {
            // connection lost: the server rolled back
        }
        catch (InvalidOperationException)
        {
            // connection closed
        }
    }

    private async Task ApplyRowsAsync(RowsEvent rows, CancellationToken ct)
    {
        var table = new TableName(rows.Table.Schema, rows.Table.Table);
        if (TableName.IsExcludedSchema(table.Schema))
        {
            return;
        }

        BeginSource();
        var foreignKeyChecks = (rows.Flags & RowsEvent.NoForeignKeyChecksFlag) == 0;
        if (_foreignKeyChecks != foreignKeyChecks)
        {
            await FlushRowsAsync(ct).ConfigureAwait(false);
            _pipeline.Add($"SET SESSION foreign_key_checks = {(foreignKeyChecks ? 1 : 0)}");
            _foreignKeyChecks = foreignKeyChecks;
        }

        if (!_tables.TryGetValue(table, out var applier))
        {
            var info = await SchemaCatalog.DescribeAsync(_connection, table, ct).ConfigureAwait(false)
                ?? throw new StandbyApplyException($"Source transaction {_gtid ?? "(no GTID)"} changes {table}, which does not exist on the standby (seed it with `replicakeeper standby init`).");
            _tables[table] = applier = new TableApplier(info, _flavor, _pipeline, _options.BatchStatements);
        }

        if (_pendingTable is not null && _pendingTable != applier)
        {
            await FlushRowsAsync(ct).ConfigureAwait(false);
        }

        var policy = InSeedingWindow ? ConflictPolicy.Overwrite : _options.OnConflict;
        await applier.AddAsync(rows, _connection, _gtid, policy, ct).ConfigureAwait(false);
        _pendingTable = applier;
    }

    /// <summary>Writes the rows queued for batching (before anything else runs in the transaction).</summary>
    private async Task FlushRowsAsync(CancellationToken ct)
    {
        if (_pendingTable is { } table)
        {
            _pendingTable = null;
            await table.FlushAsync(_connection, ct).ConfigureAwait(false);
        }
    }

    private async Task ExecuteInTransactionAsync(QueryEvent query, CancellationToken ct)
    {
        BeginSource();
        await FlushRowsAsync(ct).ConfigureAwait(false);
        await SendQueuedAsync(ct).ConfigureAwait(false);
        await UseSchemaAsync(query.Schema, ct).ConfigureAwait(false);

        // a statement's trigger changes are not in the binlog: the target's triggers fire for it, as on a native replica
        // (after a failure the applier's session ends, and a new one is marked again when it opens)
        await _connection.ExecuteAsync($"SET {TriggerGuard.SessionVariable} = NULL", ct).ConfigureAwait(false);
        await _connection.ExecuteAsync(query.Query, ct).ConfigureAwait(false);
        await _connection.ExecuteAsync($"SET {TriggerGuard.SessionVariable} = 1", ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The source transaction is complete: it joins the group commit, which is committed (with the position row) when
    /// full, when a large transaction ends it, or at <see cref="FlushAsync"/>.
    /// </summary>
    private async Task CommitAsync(ReplicationEvent item, CancellationToken ct)
    {
        Begin();
        await FlushRowsAsync(ct).ConfigureAwait(false);
        _sourceOpen = false;
        Advance(Next(item));
        _grouped++;
        if (_grouped >= Math.Max(1, _options.MaxTransactionsPerCommit) || !_bufferingCurrent || _groupEvents.Count >= MaxBufferedEvents)
        {
            await CommitGroupAsync(ct).ConfigureAwait(false);
        }
        else
        {
            _currentStart = _groupEvents.Count;
        }
    }

    /// <summary>Commits the complete source transactions of the open target transaction together with their position.</summary>
    private async Task CommitGroupAsync(CancellationToken ct)
    {
        if (!_open || _grouped == 0)
        {
            return;
        }

        await FlushRowsAsync(ct).ConfigureAwait(false);
        QueuePositionWrite(Record(_position, null, null));
        await CommitTargetAsync(ct).ConfigureAwait(false);
        Committed(_grouped);
    }

    /// <summary>Queues the write of the channel's row (an UPDATE once the row exists: one row changed either way).</summary>
    private void QueuePositionWrite(AppliedPosition position)
    {
        var command = _pipeline.Add(_positionRowExists ? PositionStore.UpdateSql : PositionStore.WriteSql, 1);
        PositionStore.AddWriteParameters(command.Parameters, position);
    }

    private void Committed(int transactions)
    {
        Interlocked.Add(ref _transactions, transactions);
        _grouped = 0;
        _committedPosition = _position;
        _committedIdempotentUntil = _idempotentUntil;
        if (_groupSourceTime is { } sourceTime)
        {
            Interlocked.Exchange(ref _committedSourceMicros, (sourceTime - DateTimeOffset.UnixEpoch).Ticks / 10);
        }

        ResetGroupEvents();
    }

    private void ResetGroupEvents()
    {
        _groupEvents.Clear();
        _currentStart = 0;
        _bufferingCurrent = true;
    }

    private async Task ClearTablesAsync()
    {
        foreach (var table in _tables.Values)
        {
            await table.DisposeAsync().ConfigureAwait(false);
        }

        _tables.Clear();
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

        _lastTransaction = _gtid ?? position.File?.ToString();
        _gtid = null;
        _groupSourceTime = _transactionSourceTime ?? _groupSourceTime;
        _transactionSourceTime = null;
    }

    private AppliedPosition Record(StandbyPosition position, string? pendingDdl, string? marker) =>
        new(_options.Channel, position, _lastTransaction ?? position.File?.ToString(), _idempotentUntil is not null && !position.Covers(_idempotentUntil) ? _idempotentUntil : null, pendingDdl, marker, DateTime.UtcNow);

    /// <summary>A statement outside a transaction: DDL (or account management). Recorded so it never runs twice.</summary>
    private async Task ApplyDdlAsync(ReplicationEvent item, QueryEvent query, CancellationToken ct)
    {
        await CommitGroupAsync(ct).ConfigureAwait(false);
        if (_open)
        {
            await CommitTargetAsync(ct).ConfigureAwait(false); // opened, nothing in it
        }

        var position = Next(item);
        var transactionId = _gtid ?? item.File + ":" + (item.Offset ?? 0).ToString(CultureInfo.InvariantCulture);
        var skip = TableName.IsExcludedSchema(query.Schema) && query.Schema == TableName.PositionSchemaName
            || await PositionStore.IsDdlAppliedAsync(_connection, _options.Channel, transactionId, ct).ConfigureAwait(false);
        if (!skip && _ddlAlreadyRun != transactionId)
        {
            if (InSeedingWindow)
            {
                throw new StandbyApplyException($"DDL of source transaction {transactionId} was committed while the standby was being seeded ('{query.Query}'); it cannot be applied idempotently. Run `replicakeeper standby init` again.");
            }

            await RunDdlAsync(query, transactionId, ct).ConfigureAwait(false);
        }

        _ddlAlreadyRun = null;
        await ClearTablesAsync().ConfigureAwait(false);
        Begin();
        if (!skip)
        {
            var record = _pipeline.Add(PositionStore.RecordDdlSql, 1);
            PositionStore.AddRecordDdlParameters(record.Parameters, _options.Channel, transactionId, query.Schema.Length == 0 ? null : query.Schema, query.Query);
        }

        Advance(position);
        QueuePositionWrite(Record(position, null, null));
        await CommitTargetAsync(ct).ConfigureAwait(false);
        Committed(1);
    }

    private async Task RunDdlAsync(QueryEvent query, string transactionId, CancellationToken ct)
    {
        var useSourceGtid = _flavor == ServerFlavor.MySql && _gtid is not null && Gtid.TryParse(_gtid, out _);
        if (_flavor == ServerFlavor.MariaDb)
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
                await _connection.ExecuteAsync($"SET SESSION gtid_next = '{_gtid}'", ct).ConfigureAwait(false);
            }

            await _connection.ExecuteAsync(TriggerGuard.Guard(query.Query), ct).ConfigureAwait(false);
            if (ScheduledEventStatement.TryGetEvent(query.Query, out var eventSchema, out var eventName))
            {
                await DisableOnStandbyAsync(eventSchema ?? query.Schema, eventName, ct).ConfigureAwait(false);
            }
        }
        catch (FormatException e)
        {
            throw new StandbyApplyException($"DDL of source transaction {transactionId} creates a trigger whose body could not be guarded ({e.Message}): {query.Query}", e);
        }
        catch (MySqlException e) when (!IsTargetUnavailable(e))
        {
            throw new StandbyApplyException($"DDL of source transaction {transactionId} failed on the standby (error {(int)e.ErrorCode}: {e.Message}): {query.Query}", e);
        }
        finally
        {
            if (useSourceGtid)
            {
                await _connection.ExecuteAsync("SET SESSION gtid_next = 'AUTOMATIC'", CancellationToken.None).ConfigureAwait(false);
            }

            if (_flavor == ServerFlavor.MariaDb)
            {
                // a DDL the target does not binlog (CREATE TEMPORARY TABLE under ROW) leaves the marker's sequence
                // number pending in the session, where the next commit would take it in its own domain: drop it
                await _connection.ExecuteAsync("SET SESSION gtid_domain_id = DEFAULT, SESSION gtid_seq_no = 0", CancellationToken.None).ConfigureAwait(false);
            }

            await RestoreSessionAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A replicated scheduled event stays disabled on the standby, as on a native replica (SLAVESIDE_DISABLED /
    /// REPLICA_SIDE_DISABLED): it must not write there. Not binlogged, so the standby gets no transaction of its own.
    /// </summary>
    private async Task DisableOnStandbyAsync(string schema, string name, CancellationToken ct)
    {
        var clause = _flavor == ServerFlavor.MySql ? "DISABLE ON REPLICA" : "DISABLE ON SLAVE";
        var gtidNext = _flavor == ServerFlavor.MySql ? ", SESSION gtid_next = 'AUTOMATIC'" : "";
        await _connection.ExecuteAsync($"SET SESSION sql_log_bin = 0{gtidNext}", ct).ConfigureAwait(false);
        try
        {
            await _connection.ExecuteAsync($"ALTER EVENT {SqlText.Quote(schema, name)} {clause}", ct).ConfigureAwait(false);
        }
        finally
        {
            await _connection.ExecuteAsync("SET SESSION sql_log_bin = 1", CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// MariaDB: commits a marker naming the standby GTID the DDL is about to get (sequence numbers set explicitly),
    /// so a restart can tell from @@gtid_binlog_state whether the DDL ran.
    /// </summary>
    private async Task WriteMariaDbDdlMarkerAsync(string transactionId, CancellationToken ct)
    {
        var domain = DdlMarkerDomain;
        var serverId = uint.Parse(await _connection.ScalarTextAsync("SELECT @@SESSION.server_id", ct).ConfigureAwait(false) ?? "0", CultureInfo.InvariantCulture);
        var binlogOn = await _connection.ScalarTextAsync("SELECT @@GLOBAL.log_bin", ct).ConfigureAwait(false) == "1";
        if (!binlogOn)
        {
            return; // without a binlog there is no way to tell afterwards; the DDL record alone protects the common case
        }

        var current = MariaDbGtidList.Parse(await _connection.ScalarTextAsync("SELECT @@GLOBAL.gtid_binlog_pos", ct).ConfigureAwait(false) ?? "");
        var sequence = current.TryGet(domain, out var last) ? last.Sequence : 0;
        var marker = new MariaDbGtid(domain, serverId, sequence + 2);
        await _connection.ExecuteAsync($"SET SESSION gtid_domain_id = {DdlMarkerDomain}", ct).ConfigureAwait(false);
        await _connection.ExecuteAsync($"SET SESSION gtid_seq_no = {sequence + 1}", ct).ConfigureAwait(false);
        Begin();
        QueuePositionWrite(Record(_position, transactionId, marker.ToString()));
        await CommitTargetAsync(ct).ConfigureAwait(false);
        await _connection.ExecuteAsync($"SET SESSION gtid_seq_no = {marker.Sequence}", ct).ConfigureAwait(false);
    }

    private async Task UseSchemaAsync(string schema, CancellationToken ct)
    {
        if (schema.Length == 0 || string.Equals(_connection.Database, schema, StringComparison.Ordinal))
        {
            return;
        }

        try
        {
            await _connection.ChangeDatabaseAsync(schema, ct).ConfigureAwait(false);
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
            await _connection.ExecuteAsync($"SET SESSION sql_mode = {sqlMode.ToString(CultureInfo.InvariantCulture)}", ct).ConfigureAwait(false);
        }

        if (variables.TimeZone is { Length: > 0 } timeZone)
        {
            await using var command = new MySqlCommand("SET SESSION time_zone = @tz", _connection);
            command.Parameters.AddWithValue("@tz", timeZone);
            await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }

        if (variables.Flags2 is { } flags2)
        {
            const uint noForeignKeyChecks = 0x0400_0000;
            await _connection.ExecuteAsync($"SET SESSION foreign_key_checks = {((flags2 & noForeignKeyChecks) != 0 ? 0 : 1)}", ct).ConfigureAwait(false);
            _foreignKeyChecks = null;
        }

        if (variables.CharacterSetClient is { } client && variables.CollationConnection is { } collation && variables.CollationServer is { } server)
        {
            await _connection.ExecuteAsync(
                $"SET SESSION character_set_client = {client}, SESSION collation_connection = {collation}, SESSION collation_server = {server}", ct).ConfigureAwait(false);
        }
    }

    private async Task RestoreSessionAsync(CancellationToken ct)
    {
        await _connection.ExecuteAsync($"SET SESSION sql_mode = '{RowSqlMode}', SESSION time_zone = '+00:00', NAMES utf8mb4", ct).ConfigureAwait(false);
    }
}
