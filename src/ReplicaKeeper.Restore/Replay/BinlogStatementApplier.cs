using System.Globalization;
using System.Text;
using MySqlConnector;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Restore.Reading;
using ReplicaKeeper.Restore.Sql;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>
/// Applies archived transactions to a server over one session, as one stream: row events are sent
/// verbatim in <c>BINLOG '...'</c> statements (the server decodes them itself, so every column type is
/// exact), statements (DDL) as SQL text under the session settings they were logged with
/// (timestamp, sql_mode, character sets, default database). Each transaction goes in as few round
/// trips as its size allows (multi-statement batches).
/// <para>
/// This is the restore's own seam until the standby applier takes events from any source; it needs
/// nothing from a live replication stream. Not supported: MySQL compressed transactions
/// (TRANSACTION_PAYLOAD) and statement-based DML; both are refused with the transaction's GTID.
/// </para>
/// </summary>
public sealed partial class BinlogStatementApplier : IAsyncDisposable
{
    private const int BatchBytes = 4 << 20;
    private readonly MySqlConnection _connection;
    private readonly StringBuilder _batch = new();
    private readonly List<byte> _rowsGroup = [];
    private ReadOnlyMemory<byte> _sentFormatDescription;
    private readonly List<string> _statements = [];
    private readonly bool _batching;
    private bool _gtidNextSet;

    private BinlogStatementApplier(MySqlConnection connection)
    {
        _connection = connection;

        // Both servers answer a multi-statement batch holding BINLOG statements with packets MySqlConnector 2.6 cannot
        // follow ("packet received out-of-order"): one statement per round trip until that is understood.
        _batching = false;
    }

    public static async Task<BinlogStatementApplier> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new MySqlConnectionStringBuilder(connectionString) { AllowUserVariables = true, DefaultCommandTimeout = 0, Pooling = false };
        var connection = new MySqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new MySqlCommand("SET SESSION foreign_key_checks = 0, SESSION unique_checks = 0", connection))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new BinlogStatementApplier(connection);
    }

    public async ValueTask ApplyAsync(ArchivedTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (!transaction.FormatDescription.Span.SequenceEqual(_sentFormatDescription.Span))
        {
            Add("BINLOG '" + Convert.ToBase64String(transaction.FormatDescription.Span) + "'");
            _sentFormatDescription = transaction.FormatDescription;
        }

        foreach (var archived in transaction.Events)
        {
            switch (archived.Event)
            {
                case MariaDbGtidEvent gtid when !gtid.IsStandalone:
                    Add("BEGIN");
                    break;
                case GtidEvent { IsAnonymous: false } gtid:
                    // MySQL: a BINLOG statement cannot run under GTID_NEXT=AUTOMATIC; the transaction keeps its GTID.
                    Add("SET @@SESSION.GTID_NEXT = '" + gtid.GtidText + "'");
                    _gtidNextSet = true;
                    break;
                case QueryEvent q when q.IsBegin:
                    Add("BEGIN");
                    break;
                case QueryEvent q when q.IsCommit:
                    FlushRowsGroup();
                    Add("COMMIT");
                    break;
                case QueryEvent q when q.IsRollback:
                    _rowsGroup.Clear();
                    Add("ROLLBACK");
                    break;
                case QueryEvent q:
                    FlushRowsGroup();
                    AddStatement(q);
                    break;
                case XidEvent:
                    FlushRowsGroup();
                    Add("COMMIT");
                    break;
                case TableMapEvent:
                    _rowsGroup.AddRange(archived.Raw.Span);
                    break;
                case RowsEvent rows:
                    _rowsGroup.AddRange(archived.Raw.Span);
                    if (rows.IsStatementEnd)
                    {
                        FlushRowsGroup();
                    }

                    break;
                case TransactionPayloadEvent:
                    throw new NotSupportedException(
                        $"transaction {transaction.Gtid} at {transaction.Start} is a compressed transaction (TRANSACTION_PAYLOAD); replaying those is not supported yet");
                case IntvarEvent or UserVarEvent or RandEvent:
                    throw new NotSupportedException(
                        $"transaction {transaction.Gtid} at {transaction.Start} is statement-based; restore replays row-based binlogs only");
            }

            if (_batch.Length >= BatchBytes || _statements.Count >= 64)
            {
                await FlushAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        FlushRowsGroup();
        if (_gtidNextSet)
        {
            Add("SET @@SESSION.GTID_NEXT = 'AUTOMATIC'");
            _gtidNextSet = false;
        }

        await FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync() => await _connection.DisposeAsync().ConfigureAwait(false);

    private void AddStatement(QueryEvent q)
    {
        var vars = q.StatusVariables;
        var micro = vars.Microseconds is { } us ? "." + us.ToString("D6", CultureInfo.InvariantCulture) : string.Empty;
        Add(string.Create(CultureInfo.InvariantCulture, $"SET TIMESTAMP = {q.Header.Timestamp}{micro}"));
        if (vars.SqlMode is { } mode)
        {
            Add(string.Create(CultureInfo.InvariantCulture, $"SET SESSION sql_mode = {mode}"));
        }

        if (vars.CharacterSetClient is { } client && vars.CollationConnection is { } connection && vars.CollationServer is { } server)
        {
            Add(string.Create(CultureInfo.InvariantCulture,
                $"SET SESSION character_set_client = {client}, SESSION collation_connection = {connection}, SESSION collation_server = {server}"));
        }

        // CREATE/DROP DATABASE are logged with the database they name as default database, which may not exist.
        if (!string.IsNullOrEmpty(q.Schema) && !DatabaseStatement().IsMatch(q.Query))
        {
            Add("USE " + SqlLiteral.Identifier(q.Schema));
        }

        Add(q.Query);
    }

    private void FlushRowsGroup()
    {
        if (_rowsGroup.Count == 0)
        {
            return;
        }

        Add("BINLOG '" + Convert.ToBase64String(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_rowsGroup)) + "'");
        _rowsGroup.Clear();
    }

    private void Add(string statement)
    {
        if (_batch.Length > 0)
        {
            _batch.Append(";\n");
        }

        _batch.Append(statement);
        if (!_batching)
        {
            _statements.Add(_batch.ToString());
            _batch.Clear();
        }
    }

    private async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        foreach (var statement in _statements)
        {
            await using var single = new MySqlCommand(statement, _connection);
            await single.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _statements.Clear();
        if (_batch.Length == 0)
        {
            return;
        }

        var text = _batch.ToString();
        _batch.Clear();
        await using var command = new MySqlCommand(text, _connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\s*(CREATE|DROP|ALTER)\s+(DATABASE|SCHEMA)\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase)]
    private static partial System.Text.RegularExpressions.Regex DatabaseStatement();
}
