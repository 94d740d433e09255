using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Output;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Cli.Output;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper tail</c>: connects to a source as a replica and prints its binlog events as they
/// happen, one JSON object (or text line) per event. Ctrl+C stops cleanly with exit code 0.
/// </summary>
internal static class TailCommand
{
    /// <summary>Exit codes that tell the operator what to look at.</summary>
    internal static class ExitCodes
    {
        public const int Ok = 0;
        public const int Failed = 1;
        public const int Usage = 2;
        public const int CannotConnect = 3;
        public const int MissingPrivilege = 4;
        public const int PositionUnavailable = 5;
        public const int ServerConfiguration = 6;
        public const int CorruptEvent = 7;
    }

    public static Command Create()
    {
        var source = new Option<string>("--source")
        {
            Description = "MySqlConnector connection string of the source, e.g. \"Server=db1;Port=3306;User ID=repl\". Prefer the password from --password-env.",
            Required = true,
        };
        var fromGtid = new Option<string?>("--from-gtid")
        {
            Description = "Start after these transactions: a MySQL GTID set (uuid:1-5,uuid:tag:1-3) or a MariaDB GTID list (0-1-100,1-2-5).",
        };
        var from = new Option<string?>("--from") { Description = "Start at a binlog position FILE:POS (a transaction boundary, e.g. bin.000003:4)." };
        var fromNow = new Option<bool>("--from-now") { Description = "Start at the current end of the source's binlog (the default)." };
        var format = new Option<string>("--format") { Description = "Output: json (one object per line) or text.", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "text");
        var passwordEnv = new Option<string>("--password-env")
        {
            Description = "Environment variable holding the password when the connection string has none.",
            DefaultValueFactory = _ => ConnectionOptions.DefaultPasswordEnvironmentVariable,
        };
        var serverId = new Option<uint?>("--server-id") { Description = "Server id to announce (unique among the source's replicas). Default: random." };
        var heartbeat = new Option<double>("--heartbeat") { Description = "Heartbeat interval in seconds (dead link after 3 missed).", DefaultValueFactory = _ => 5 };
        var stopAtEnd = new Option<bool>("--stop-at-end") { Description = "Exit once the current end of the binlog is reached instead of waiting for new events." };
        var heartbeats = new Option<bool>("--heartbeats") { Description = "Also print heartbeats." };

        var command = new Command("tail", "Stream a source's binlog events as they happen (as a replica; needs REPLICATION SLAVE and REPLICATION CLIENT).");
        foreach (var option in new Option[] { source, fromGtid, from, fromNow, format, passwordEnv, serverId, heartbeat, stopAtEnd, heartbeats })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, ct) =>
        {
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            var request = new TailRequest(
                parse.GetValue(source)!, parse.GetValue(fromGtid), parse.GetValue(from), parse.GetValue(fromNow),
                parse.GetValue(format) == "text", parse.GetValue(passwordEnv)!, parse.GetValue(serverId),
                parse.GetValue(heartbeat), parse.GetValue(stopAtEnd), parse.GetValue(heartbeats));
            // System.CommandLine 2.0.0 leaves ProcessTerminationTimeout null (dotnet/command-line-api#2739), so
            // SIGINT/SIGTERM would kill the process with 130/143; handle them here to stop cleanly with 0.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            return await RunAsync(request, output, error, stop.Token).ConfigureAwait(false);

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        });
        return command;
    }

    private sealed record TailRequest(
        string Source, string? FromGtid, string? From, bool FromNow, bool Text, string PasswordEnv, uint? ServerId,
        double HeartbeatSeconds, bool StopAtEnd, bool Heartbeats);

    private static async Task<int> RunAsync(TailRequest request, TextWriter output, TextWriter error, CancellationToken ct)
    {
        ReplicaClient client;
        try
        {
            if (new[] { request.FromGtid is not null, request.From is not null, request.FromNow }.Count(x => x) > 1)
            {
                throw new FormatException("Give at most one of --from-gtid, --from and --from-now.");
            }

            if (request.HeartbeatSeconds is <= 0 or > 4294967)
            {
                throw new FormatException($"--heartbeat {request.HeartbeatSeconds} must be between 0 and 4294967 seconds.");
            }

            var connection = ConnectionOptions.Parse(request.Source).WithPasswordFromEnvironment(request.PasswordEnv);
            var options = new ReplicationOptions
            {
                Connection = connection,
                HeartbeatInterval = TimeSpan.FromSeconds(request.HeartbeatSeconds),
                StopAtEnd = request.StopAtEnd,
            };
            if (request.ServerId is { } id)
            {
                options = options with { ServerId = id };
            }

            client = new ReplicaClient(options);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        try
        {
            var start = await ResolveStartAsync(client, request, ct).ConfigureAwait(false);
            await error.WriteLineAsync($"tailing {client.Options.Connection.Host}:{client.Options.Connection.Port} from {start}").ConfigureAwait(false);
            var stream = client.OpenStream(start);
            var printer = new EventPrinter(output, request.Text);
            await foreach (var e in stream.WithCancellation(ct).ConfigureAwait(false))
            {
                if (e.Kind == ReplicationEventKind.Heartbeat && !request.Heartbeats)
                {
                    continue;
                }

                await printer.PrintAsync(e).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return ExitCodes.Ok; // Ctrl+C
        }
        catch (FormatException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (ReplicationException e)
        {
            await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
            return e.Kind switch
            {
                ReplicationErrorKind.Authentication or ReplicationErrorKind.Unreachable => ExitCodes.CannotConnect,
                ReplicationErrorKind.MissingPrivilege => ExitCodes.MissingPrivilege,
                ReplicationErrorKind.PositionPurged or ReplicationErrorKind.InvalidStartPosition => ExitCodes.PositionUnavailable,
                ReplicationErrorKind.ServerConfiguration => ExitCodes.ServerConfiguration,
                ReplicationErrorKind.CorruptEvent => ExitCodes.CorruptEvent,
                _ => ExitCodes.Failed,
            };
        }
        catch (Exception e) when (ReplicationRetryPolicy.IsTransient(e) || e is MySqlServerException or MySqlTlsException or MySqlAuthenticationException)
        {
            await error.WriteLineAsync($"error: cannot reach the source: {e.Message}").ConfigureAwait(false);
            return ExitCodes.CannotConnect;
        }
    }

    private static async Task<ReplicationCheckpoint> ResolveStartAsync(ReplicaClient client, TailRequest request, CancellationToken ct)
    {
        if (request.From is { } from)
        {
            return ReplicationCheckpoint.FromPosition(BinlogPosition.Parse(from));
        }

        if (request.FromGtid is { } text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                var now = await client.GetCurrentCheckpointAsync(cancellationToken: ct).ConfigureAwait(false);
                return now.Mode == ReplicationMode.MariaDbGtid
                    ? ReplicationCheckpoint.FromMariaDbGtids(MariaDbGtidList.Empty)
                    : ReplicationCheckpoint.FromGtidSet(GtidSet.Empty);
            }

            if (GtidSet.TryParse(text, out var set))
            {
                return ReplicationCheckpoint.FromGtidSet(set);
            }

            if (MariaDbGtidList.TryParse(text, out var list))
            {
                return ReplicationCheckpoint.FromMariaDbGtids(list);
            }

            throw new FormatException(
                $"--from-gtid '{text}' is neither a MySQL GTID set (uuid:1-5[,uuid:tag:1-3]) nor a MariaDB GTID list (0-1-100[,1-2-5]).");
        }

        return await client.GetCurrentCheckpointAsync(cancellationToken: ct).ConfigureAwait(false);
    }

    /// <summary>Prints one line per event: JSON (with row values) or text.</summary>
    private sealed class EventPrinter(TextWriter output, bool text)
    {
        private readonly ArrayBufferWriter<byte> _buffer = new();
        private readonly RowChange _change = new();

        public async Task PrintAsync(ReplicationEvent e)
        {
            var line = text ? FormatText(e) : FormatJson(e);
            await output.WriteLineAsync(line).ConfigureAwait(false);
            await output.FlushAsync().ConfigureAwait(false);
        }

        private static string Type(ReplicationEvent e) => e.Kind switch
        {
            ReplicationEventKind.Heartbeat => "heartbeat",
            ReplicationEventKind.TransactionAborted => "transaction_aborted",
            _ => EventTypeNames.Of(e.Event),
        };

        private static string FormatText(ReplicationEvent e)
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"{e.File}:{e.Offset?.ToString(CultureInfo.InvariantCulture) ?? "-"} {Type(e)}");
            if (e.TransactionGtid is not null)
            {
                sb.Append(" gtid=").Append(e.TransactionGtid);
            }

            switch (e.Event)
            {
                case RowsEvent rows:
                    sb.Append(CultureInfo.InvariantCulture, $" {rows.Table.Schema}.{rows.Table.Table} rows={rows.CountRows()}");
                    break;
                case QueryEvent query:
                    sb.Append(" schema=").Append(query.Schema).Append(" query=").Append(query.Query.ReplaceLineEndings(" "));
                    break;
                case RotateEvent rotate:
                    sb.Append(CultureInfo.InvariantCulture, $" next={rotate.NextFile}:{rotate.NextPosition}");
                    break;
                default:
                    break;
            }

            if (e.CompletesTransaction)
            {
                sb.Append(" commit");
            }

            return sb.ToString();
        }

        private string FormatJson(ReplicationEvent e)
        {
            _buffer.ResetWrittenCount();
            using (var writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                writer.WriteStartObject();
                writer.WriteString("type"u8, Type(e));
                writer.WriteString("file"u8, e.File);
                WriteNumberOrNull(writer, "pos"u8, e.Offset);
                WriteNumberOrNull(writer, "next_pos"u8, e.NextOffset);
                writer.WriteNumber("timestamp"u8, e.Event.Header.Timestamp);
                writer.WriteNumber("server_id"u8, e.Event.Header.ServerId);
                if (e.TransactionGtid is not null)
                {
                    writer.WriteString("gtid"u8, e.TransactionGtid);
                }

                if (e.CompletesTransaction)
                {
                    writer.WriteBoolean("commit"u8, true);
                }

                switch (e.Event)
                {
                    case RowsEvent rows when e.Kind == ReplicationEventKind.Event:
                        writer.WriteString("schema"u8, rows.Table.Schema);
                        writer.WriteString("table"u8, rows.Table.Table);
                        writer.WriteString("operation"u8, rows.Kind.ToString());
                        writer.WriteStartArray("rows"u8);
                        var reader = rows.GetRows();
                        while (reader.Read(_change))
                        {
                            RowJsonWriter.WriteChange(writer, _change);
                        }

                        writer.WriteEndArray();
                        break;
                    case QueryEvent query when e.Kind == ReplicationEventKind.Event:
                        writer.WriteString("schema"u8, query.Schema);
                        writer.WriteString("query"u8, query.Query);
                        break;
                    case TableMapEvent map:
                        writer.WriteString("schema"u8, map.Schema);
                        writer.WriteString("table"u8, map.Table);
                        break;
                    case RotateEvent rotate:
                        writer.WriteString("next_file"u8, rotate.NextFile);
                        writer.WriteNumber("next_file_pos"u8, rotate.NextPosition);
                        break;
                    default:
                        break;
                }

                writer.WriteString("checkpoint"u8, e.Checkpoint.ToString());
                writer.WriteEndObject();
            }

            return Encoding.UTF8.GetString(_buffer.WrittenSpan);
        }

        private static void WriteNumberOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, ulong? value)
        {
            if (value is { } v)
            {
                writer.WriteNumber(name, v);
            }
            else
            {
                writer.WriteNull(name);
            }
        }
    }
}
