using System.Buffers;
using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Output;
using ReplicaKeeper.Binlog.Reading;
using ReplicaKeeper.Cli.Output;

namespace ReplicaKeeper.Cli.Commands;

/// <summary>
/// <c>replicakeeper decode FILE... [--format json|summary]</c>: decodes binlog files.
/// json: one JSON object per event and line (rows included); summary: rows inserted/updated/deleted per table.
/// Exit codes: 0 ok, 1 a file cannot be opened, 2 a file is not a well-formed binlog (the message names file and position).
/// </summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Binlog files, decoded in the order given.", Arity = ArgumentArity.OneOrMore };
        var format = new Option<string>("--format")
        {
            Description = "json: one JSON object per event and line; summary: rows changed per table.",
            DefaultValueFactory = _ => "json",
        };
        format.AcceptOnlyFromAmong("json", "summary");
        var noVerify = new Option<bool>("--no-verify-checksums") { Description = "Do not verify CRC32 checksums." };
        var allowTorn = new Option<bool>("--allow-torn-tail") { Description = "Stop quietly at a partial last event (a file still being written)." };
        var command = new Command("decode", "Decode binlog files: every event as JSON lines, or a per-table summary of row changes.");
        command.Arguments.Add(files);
        command.Options.Add(format);
        command.Options.Add(noVerify);
        command.Options.Add(allowTorn);
        command.SetAction(async (ParseResult parse, CancellationToken cancellationToken) =>
        {
            var paths = parse.GetValue(files) ?? [];
            var options = new BinlogFileReaderOptions
            {
                VerifyChecksums = !parse.GetValue(noVerify),
                AllowTornTail = parse.GetValue(allowTorn),
                ReuseBuffers = true,
            };
            var output = parse.InvocationConfiguration.Output;
            var error = parse.InvocationConfiguration.Error;
            try
            {
                if (parse.GetValue(format) == "summary")
                {
                    await SummarizeAsync(paths, options, output, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await WriteJsonAsync(paths, options, output, cancellationToken).ConfigureAwait(false);
                }

                return 0;
            }
            catch (BinlogFormatException e)
            {
                await error.WriteLineAsync($"error: {e.Message}").ConfigureAwait(false);
                return 2;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"error: cannot open {e.Message}").ConfigureAwait(false);
                return 1;
            }
        });
        return command;
    }

    private static async Task WriteJsonAsync(string[] paths, BinlogFileReaderOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        await using var sink = new OutputSink(output);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var writerOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
        await using var json = new Utf8JsonWriter(buffer, writerOptions);
        using var decoder = new BinlogEventDecoder(new BinlogDecoderOptions { VerifyChecksums = false });
        var transaction = new TransactionTracker();
        var change = new RowChange();
        foreach (var path in paths)
        {
            using var reader = BinlogFileReader.Open(path, options, decoder);
            await foreach (var positioned in reader.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                WriteEvent(json, buffer, positioned, positioned.Event, transaction, change);
                if (positioned.Event is TransactionPayloadEvent payload)
                {
                    foreach (var nested in payload.Events)
                    {
                        WriteEvent(json, buffer, positioned, nested, transaction, change);
                    }
                }

                if (buffer.WrittenCount > 48 * 1024)
                {
                    await sink.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
                    buffer.ResetWrittenCount();
                }
            }
        }

        await sink.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>One event as one JSON line; nested payload events carry their payload's positions.</summary>
    private static void WriteEvent(
        Utf8JsonWriter json, ArrayBufferWriter<byte> buffer, PositionedEvent where, BinlogEvent e, TransactionTracker transaction, RowChange change)
    {
        transaction.Before(e);
        json.Reset();
        json.WriteStartObject();
        json.WriteString("type"u8, EventTypeNames.Of(e));
        json.WriteString("file"u8, where.File);
        json.WriteNumber("pos"u8, where.Position);
        json.WriteNumber("end_pos"u8, where.EndPosition);
        json.WriteNumber("timestamp"u8, e.Header.Timestamp);
        if (transaction.Gtid is { } gtid)
        {
            json.WriteString("gtid"u8, gtid);
        }

        WriteFields(json, e, change);
        json.WriteEndObject();
        json.Flush();
        buffer.GetSpan(1)[0] = (byte)'\n';
        buffer.Advance(1);
        transaction.After(e);
    }

    private static void WriteFields(Utf8JsonWriter json, BinlogEvent e, RowChange change)
    {
        switch (e)
        {
            case RowsEvent rows:
                json.WriteString("schema"u8, rows.Table.Schema);
                json.WriteString("table"u8, rows.Table.Table);
                json.WritePropertyName("rows"u8);
                json.WriteStartArray();
                var reader = rows.GetRows();
                while (reader.Read(change))
                {
                    RowJsonWriter.WriteChange(json, change);
                }

                json.WriteEndArray();
                break;
            case TableMapEvent map:
                json.WriteNumber("table_id"u8, map.TableId);
                json.WriteString("schema"u8, map.Schema);
                json.WriteString("table"u8, map.Table);
                break;
            case QueryEvent query:
                json.WriteString("schema"u8, query.Schema);
                json.WriteString("query"u8, query.Query);
                json.WriteNumber("thread_id"u8, query.ThreadId);
                json.WriteNumber("error_code"u8, query.ErrorCode);
                break;
            case XidEvent xid:
                json.WriteNumber("xid"u8, xid.Xid);
                break;
            case RotateEvent rotate:
                json.WriteString("next_file"u8, rotate.NextFile);
                json.WriteNumber("next_pos"u8, rotate.NextPosition);
                break;
            case GtidEvent gtid:
                json.WriteNumber("last_committed"u8, gtid.LastCommitted);
                json.WriteNumber("sequence_number"u8, gtid.SequenceNumber);
                json.WriteNumber("commit_timestamp"u8, gtid.ImmediateCommitTimestamp);
                json.WriteNumber("transaction_length"u8, gtid.TransactionLength);
                break;
            case MariaDbGtidEvent gtid:
                json.WriteNumber("domain_id"u8, gtid.DomainId);
                json.WriteNumber("server_id"u8, gtid.ServerId);
                json.WriteNumber("seq_no"u8, gtid.SequenceNumber);
                json.WriteNumber("flags"u8, gtid.Flags);
                if (gtid.Xid is { } xaXid)
                {
                    json.WriteString("xa_xid"u8, xaXid.ToString());
                }

                break;
            case PreviousGtidsEvent previous:
                json.WriteString("gtid_set"u8, previous.GtidSetText);
                break;
            case MariaDbGtidListEvent list:
                json.WriteString("gtid_list"u8, list.GtidListText);
                break;
            case MariaDbBinlogCheckpointEvent checkpoint:
                json.WriteString("checkpoint_file"u8, checkpoint.FileName);
                break;
            case FormatDescriptionEvent fde:
                json.WriteString("server_version"u8, fde.ServerVersion);
                json.WriteNumber("binlog_version"u8, fde.BinlogVersion);
                json.WriteString("checksum"u8, fde.ChecksumAlgorithm == ChecksumAlgorithm.Crc32 ? "crc32" : "none");
                break;
            case MariaDbAnnotateRowsEvent annotate:
                json.WriteString("query"u8, annotate.Query);
                break;
            case RowsQueryEvent rowsQuery:
                json.WriteString("query"u8, rowsQuery.Query);
                break;
            case TransactionPayloadEvent payload:
                json.WriteString("compression"u8, payload.Compression == PayloadCompression.Zstd ? "zstd" : "none");
                json.WriteNumber("payload_size"u8, payload.PayloadSize);
                json.WriteNumber("uncompressed_size"u8, payload.UncompressedSize);
                json.WriteNumber("events"u8, payload.Events.Count);
                break;
            case IntvarEvent intvar:
                json.WriteString("name"u8, intvar.VariableType == IntvarEvent.InsertId ? "INSERT_ID" : "LAST_INSERT_ID");
                json.WriteNumber("value"u8, intvar.Value);
                break;
            case RandEvent rand:
                json.WriteNumber("seed1"u8, rand.Seed1);
                json.WriteNumber("seed2"u8, rand.Seed2);
                break;
            case UserVarEvent userVar:
                json.WriteString("name"u8, userVar.Name);
                if (userVar.IsNull)
                {
                    json.WriteNull("value"u8);
                }
                else
                {
                    json.WriteString("value_type"u8, userVar.ValueType.ToString().ToLowerInvariant());
                    json.WriteBase64String("value"u8, userVar.Value);
                }

                break;
            case XaPrepareEvent xa:
                json.WriteString("xa_xid"u8, xa.Xid.ToString());
                json.WriteBoolean("one_phase"u8, xa.OnePhase);
                break;
            case HeartbeatEvent heartbeat:
                json.WriteString("log_file"u8, heartbeat.LogFileName);
                json.WriteNumber("log_pos"u8, heartbeat.LogPosition);
                break;
            case IncidentEvent incident:
                json.WriteNumber("incident"u8, incident.Incident);
                json.WriteString("message"u8, incident.Message);
                break;
            case UnknownEvent unknown:
                json.WriteNumber("type_code"u8, (byte)unknown.EventType);
                break;
            default:
                break;
        }
    }

    private static async Task SummarizeAsync(string[] paths, BinlogFileReaderOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, long[]>(StringComparer.Ordinal);
        using var decoder = new BinlogEventDecoder(new BinlogDecoderOptions { VerifyChecksums = false });
        var change = new RowChange();
        long events = 0, bytes = 0, transactions = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var path in paths)
        {
            using var reader = BinlogFileReader.Open(path, options, decoder);
            await foreach (var positioned in reader.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                events++;
                Count(positioned.Event, counts, change, ref transactions);
                if (positioned.Event is TransactionPayloadEvent payload)
                {
                    foreach (var nested in payload.Events)
                    {
                        Count(nested, counts, change, ref transactions);
                    }
                }
            }

            bytes += reader.LastCompleteEventEnd;
        }

        var elapsed = clock.Elapsed;
        var text = new StringBuilder();
        var width = Math.Max(5, counts.Keys.Select(k => k.Length).DefaultIfEmpty(0).Max());
        text.Append(CultureInfo.InvariantCulture, $"{"table".PadRight(width)}  {"inserted",12}  {"updated",12}  {"deleted",12}\n");
        var total = new long[3];
        foreach (var (table, c) in counts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"{table.PadRight(width)}  {c[0],12}  {c[1],12}  {c[2],12}\n");
            for (var i = 0; i < 3; i++)
            {
                total[i] += c[i];
            }
        }

        text.Append(CultureInfo.InvariantCulture, $"{"total".PadRight(width)}  {total[0],12}  {total[1],12}  {total[2],12}\n");
        var seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        text.Append(CultureInfo.InvariantCulture,
            $"{paths.Length} file(s), {bytes} bytes, {events} events, {transactions} transactions, decoded in {elapsed.TotalSeconds:F3} s ({bytes / seconds / 1e6:F1} MB/s)\n");
        await output.WriteAsync(text.ToString()).ConfigureAwait(false);
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void Count(BinlogEvent e, Dictionary<string, long[]> counts, RowChange change, ref long transactions)
    {
        switch (e)
        {
            case RowsEvent rows:
                var key = rows.Table.FullName;
                if (!counts.TryGetValue(key, out var c))
                {
                    c = new long[3];
                    counts[key] = c;
                }

                var slot = rows.Kind switch { RowsEventKind.Write => 0, RowsEventKind.Delete => 2, _ => 1 };
                var reader = rows.GetRows();
                while (reader.Read(change))
                {
                    c[slot]++;
                }

                break;
            case XidEvent:
                transactions++;
                break;
            case QueryEvent query when query.IsCommit:
                transactions++;
                break;
            default:
                break;
        }
    }

    /// <summary>The GTID of the transaction an event belongs to (MySQL uuid[:tag]:n or MariaDB domain-server-seq).</summary>
    private sealed class TransactionTracker
    {
        private bool _inTransaction;

        public string? Gtid { get; private set; }

        public void Before(BinlogEvent e)
        {
            switch (e)
            {
                case GtidEvent g:
                    Gtid = g.IsAnonymous ? null : g.GtidText;
                    _inTransaction = false;
                    break;
                case MariaDbGtidEvent g:
                    Gtid = g.GtidText;
                    _inTransaction = !g.IsStandalone; // MariaDB's GTID event stands for BEGIN
                    break;
                case QueryEvent q when q.IsBegin || q.Query.StartsWith("XA START", StringComparison.OrdinalIgnoreCase):
                    _inTransaction = true;
                    break;
                default:
                    break;
            }
        }

        public void After(BinlogEvent e)
        {
            var ends = e switch
            {
                XidEvent or XaPrepareEvent => true,
                QueryEvent q => q.IsCommit || q.IsRollback || !_inTransaction
                    || q.Query.StartsWith("XA PREPARE", StringComparison.OrdinalIgnoreCase)
                    || q.Query.StartsWith("XA COMMIT", StringComparison.OrdinalIgnoreCase)
                    || q.Query.StartsWith("XA ROLLBACK", StringComparison.OrdinalIgnoreCase),
                _ => false,
            };
            if (ends)
            {
                Gtid = null;
                _inTransaction = false;
            }
        }
    }

    /// <summary>Bytes to the command's output: straight to stdout when that is the console, else through the TextWriter.</summary>
    private sealed class OutputSink(TextWriter writer) : IAsyncDisposable
    {
        private readonly Stream? _stdout = ReferenceEquals(writer, Console.Out) ? new BufferedStream(Console.OpenStandardOutput(), 1 << 20) : null;

        public async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            if (_stdout is not null)
            {
                await _stdout.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await writer.WriteAsync(Encoding.UTF8.GetString(bytes.Span).AsMemory(), cancellationToken).ConfigureAwait(false);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_stdout is not null)
            {
                await _stdout.FlushAsync().ConfigureAwait(false);
                await _stdout.DisposeAsync().ConfigureAwait(false);
            }
            else
            {
                await writer.FlushAsync().ConfigureAwait(false);
            }
        }
    }
}
