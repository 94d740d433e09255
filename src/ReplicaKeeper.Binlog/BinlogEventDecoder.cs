using System.Buffers;
using ReplicaKeeper.Binlog.Compression;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog;

/// <summary>
/// Turns raw events (header + body + checksum trailer) into <see cref="BinlogEvent"/> records.
/// Owns the decoding state of one binlog stream or file sequence: the current
/// <see cref="FormatContext"/> (replaced by each FORMAT_DESCRIPTION) and the table-map cache
/// (TABLE_MAP events by table id; cleared at each FORMAT_DESCRIPTION, ROTATE and transaction
/// boundary, because MySQL reuses table ids). Verifies checksums, decompresses MariaDB
/// compressed events and MySQL TRANSACTION_PAYLOADs (nested events decoded through the same
/// dispatch), refuses rows events whose TABLE_MAP it has not seen, and passes unknown event
/// types through as <see cref="UnknownEvent"/>. The only exception it throws is
/// <see cref="BinlogFormatException"/>, naming file, position and event type.
/// Not thread-safe: one decoder per stream.
/// </summary>
public sealed class BinlogEventDecoder : IDisposable
{
    private readonly BinlogDecoderOptions _options;
    private readonly Dictionary<ulong, TableMapEvent> _tableMaps = [];
    private readonly Dictionary<ulong, TableMapEvent> _lastTableMaps = [];
    private readonly Func<ulong, TableMapEvent?> _findTableMap;
    private ZstdPayloadDecompressor? _zstd;
    private bool _sawFormatDescription;

    public BinlogEventDecoder(BinlogDecoderOptions? options = null)
    {
        _options = options ?? BinlogDecoderOptions.Default;
        _findTableMap = FindTableMap;
        Format = FormatContext.Default;
    }

    /// <summary>What the last FORMAT_DESCRIPTION said (<see cref="FormatContext.Default"/> before one).</summary>
    public FormatContext Format { get; private set; }

    /// <summary>Checksum algorithm applied to the next event (not an FDE).</summary>
    public ChecksumAlgorithm Checksum => _sawFormatDescription ? Format.Checksum : _options.InitialChecksum;

    public bool VerifyChecksums => _options.VerifyChecksums;

    /// <summary>The TABLE_MAP for a table id seen in the current transaction, or null.</summary>
    public TableMapEvent? FindTableMap(ulong tableId) => _tableMaps.GetValueOrDefault(tableId);

    /// <summary>Forgets the format and the table maps (a new stream begins).</summary>
    public void Reset()
    {
        Format = FormatContext.Default;
        _sawFormatDescription = false;
        _tableMaps.Clear();
        _lastTableMaps.Clear();
    }

    /// <summary>
    /// Decodes one whole event (exactly event_size bytes, checksum trailer included) without
    /// copying: a rows event keeps referring to <paramref name="rawEvent"/> for its row images
    /// (decoded lazily), so that memory must stay unchanged while the rows are read.
    /// <paramref name="file"/> and <paramref name="position"/> only label errors.
    /// </summary>
    public BinlogEvent Decode(ReadOnlyMemory<byte> rawEvent, string? file = null, long position = -1) =>
        Decode(rawEvent.Span, rawEvent, file, position);

    /// <summary>
    /// Decodes one whole event (exactly event_size bytes, checksum trailer included). The result
    /// owns its data (rows events copy their body). <paramref name="file"/> and
    /// <paramref name="position"/> only label errors.
    /// </summary>
    public BinlogEvent Decode(ReadOnlySpan<byte> rawEvent, string? file = null, long position = -1) =>
        Decode(rawEvent, ReadOnlyMemory<byte>.Empty, file, position);

    private BinlogEvent Decode(ReadOnlySpan<byte> rawEvent, ReadOnlyMemory<byte> rawMemory, string? file, long position)
    {
        EventHeader header;
        try
        {
            header = EventHeader.Read(rawEvent);
        }
        catch (BinlogFormatException e)
        {
            throw e.WithLocation(file, position);
        }

        if (header.EventSize != rawEvent.Length)
        {
            throw new BinlogFormatException(
                $"event_size {header.EventSize} but {rawEvent.Length} bytes were given", file, position, header.EventType, 9);
        }

        try
        {
            var checksumLength = ChecksumLengthOf(rawEvent, header);
            return DecodeFrame(rawEvent, rawMemory, header, checksumLength, file, position);
        }
        catch (BinlogFormatException e)
        {
            throw e.WithLocation(file, position, header.EventType);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new BinlogFormatException(
                $"cannot decode: {e.GetType().Name}: {e.Message}", file, position, header.EventType, -1, e);
        }
    }

    private int ChecksumLengthOf(ReadOnlySpan<byte> rawEvent, EventHeader header)
    {
        if (header.EventType == BinlogEventType.FormatDescription)
        {
            var trailer = FormatDescriptionEvent.ChecksumTrailerLength(rawEvent);
            if (_options.VerifyChecksums && trailer > 0
                && FormatDescriptionEvent.ReadChecksumAlgorithm(rawEvent) == ChecksumAlgorithm.Crc32)
            {
                BinlogChecksum.Verify(rawEvent, null, -1);
            }

            return trailer;
        }

        var algorithm = Checksum;
        if (!_sawFormatDescription && algorithm != ChecksumAlgorithm.Crc32
            && header.EventType == BinlogEventType.Rotate && BinlogChecksum.IsValid(rawEvent))
        {
            algorithm = ChecksumAlgorithm.Crc32;
        }

        if (algorithm != ChecksumAlgorithm.Crc32)
        {
            return 0;
        }

        if (_options.VerifyChecksums)
        {
            BinlogChecksum.Verify(rawEvent, null, -1);
        }

        return rawEvent.Length >= EventHeader.Size + BinlogChecksum.Size
            ? BinlogChecksum.Size
            : throw new BinlogFormatException("event too short for its checksum", null, -1, header.EventType, rawEvent.Length);
    }

    private BinlogEvent DecodeFrame(
        ReadOnlySpan<byte> rawEvent, ReadOnlyMemory<byte> rawMemory, EventHeader header, int checksumLength, string? file, long position)
    {
        var headerLength = header.EventType == BinlogEventType.FormatDescription || header.EventType == BinlogEventType.Rotate
            ? EventHeader.Size
            : Format.CommonHeaderLength;
        if (rawEvent.Length < headerLength + checksumLength)
        {
            throw new BinlogFormatException(
                $"event of {rawEvent.Length} bytes is shorter than its header and checksum", null, -1, header.EventType, rawEvent.Length);
        }

        var body = rawEvent[headerLength..^checksumLength];
        var bodyMemory = rawMemory.IsEmpty ? rawMemory : rawMemory[headerLength..^checksumLength];
        var reader = new BinlogReader(body, headerLength);
        var decoded = DecodeBody(ref reader, header, body, bodyMemory, headerLength, file, position);
        AfterDecode(decoded);
        return decoded;
    }

    private BinlogEvent DecodeBody(
        ref BinlogReader reader, EventHeader header, ReadOnlySpan<byte> body, ReadOnlyMemory<byte> bodyMemory, int headerLength,
        string? file, long position)
    {
        var context = Format;
        switch (header.EventType)
        {
            case BinlogEventType.FormatDescription: return FormatDescriptionEvent.Read(ref reader, header, context);
            case BinlogEventType.Rotate: return RotateEvent.Read(ref reader, header, context);
            case BinlogEventType.Query: return QueryEvent.Read(ref reader, header, context);
            case BinlogEventType.MariaDbQueryCompressed: return DecodeQueryCompressed(ref reader, header, body, headerLength, context);
            case BinlogEventType.Xid: return XidEvent.Read(ref reader, header, context);
            case BinlogEventType.Stop: return StopEvent.Read(ref reader, header, context);
            case BinlogEventType.Intvar: return IntvarEvent.Read(ref reader, header, context);
            case BinlogEventType.Rand: return RandEvent.Read(ref reader, header, context);
            case BinlogEventType.UserVar: return UserVarEvent.Read(ref reader, header, context);
            case BinlogEventType.Incident: return IncidentEvent.Read(ref reader, header, context);
            case BinlogEventType.Heartbeat:
            case BinlogEventType.HeartbeatV2: return HeartbeatEvent.Read(ref reader, header, context);
            case BinlogEventType.RowsQuery: return RowsQueryEvent.Read(ref reader, header, context);
            case BinlogEventType.Gtid:
            case BinlogEventType.AnonymousGtid:
            case BinlogEventType.GtidTagged: return GtidEvent.Read(ref reader, header, context);
            case BinlogEventType.PreviousGtids: return PreviousGtidsEvent.Read(ref reader, header, context);
            case BinlogEventType.XaPrepare: return XaPrepareEvent.Read(ref reader, header, context);
            case BinlogEventType.TransactionPayload: return DecodeTransactionPayload(ref reader, header, file, position);
            case BinlogEventType.MariaDbAnnotateRows: return MariaDbAnnotateRowsEvent.Read(ref reader, header, context);
            case BinlogEventType.MariaDbBinlogCheckpoint: return MariaDbBinlogCheckpointEvent.Read(ref reader, header, context);
            case BinlogEventType.MariaDbGtid: return MariaDbGtidEvent.Read(ref reader, header, context);
            case BinlogEventType.MariaDbGtidList: return MariaDbGtidListEvent.Read(ref reader, header, context);
            case BinlogEventType.MariaDbStartEncryption: return MariaDbStartEncryptionEvent.Read(ref reader, header, context);
            case BinlogEventType.TableMap:
                return TableMapEvent.Read(ref reader, header, context, _lastTableMaps.GetValueOrDefault(PeekTableId(reader, header.EventType, context)));
            case BinlogEventType.WriteRowsV1:
            case BinlogEventType.UpdateRowsV1:
            case BinlogEventType.DeleteRowsV1:
            case BinlogEventType.WriteRowsV2:
            case BinlogEventType.UpdateRowsV2:
            case BinlogEventType.DeleteRowsV2:
            case BinlogEventType.PartialUpdateRows:
                RequireTableMap(reader, header.EventType, context);
                return bodyMemory.IsEmpty
                    ? RowsEvent.Read(ref reader, header, context, _findTableMap)
                    : RowsEvent.Read(bodyMemory, header, context, _findTableMap);
            case BinlogEventType.MariaDbWriteRowsCompressedV1:
            case BinlogEventType.MariaDbUpdateRowsCompressedV1:
            case BinlogEventType.MariaDbDeleteRowsCompressedV1:
            case BinlogEventType.MariaDbWriteRowsCompressedV2:
            case BinlogEventType.MariaDbUpdateRowsCompressedV2:
            case BinlogEventType.MariaDbDeleteRowsCompressedV2:
                return DecodeRowsCompressed(header, body, headerLength, context);
            default:
                return new UnknownEvent(header, body.ToArray());
        }
    }

    /// <summary>Peeks the table id of a rows event and refuses it when no TABLE_MAP announced the table.</summary>
    private void RequireTableMap(BinlogReader reader, BinlogEventType type, FormatContext context)
    {
        var at = reader.Offset;
        var tableId = PeekTableId(reader, type, context);
        if (!_tableMaps.ContainsKey(tableId))
        {
            throw new BinlogFormatException(
                $"rows event for table id {tableId} without a preceding TABLE_MAP (resumed inside a transaction?)",
                null, -1, type, at);
        }
    }

    /// <summary>Table id at the start of a TABLE_MAP or rows post-header (4 bytes when the post-header is 6, else 6).</summary>
    private static ulong PeekTableId(BinlogReader reader, BinlogEventType type, FormatContext context) =>
        reader.ReadUIntLE(context.PostHeaderLength(type, 8) == 6 ? 4 : 6);

    private static QueryEvent DecodeQueryCompressed(
        ref BinlogReader reader, EventHeader header, ReadOnlySpan<byte> body, int headerLength, FormatContext context)
    {
        QueryEvent.ReadHead(ref reader, header, context, out var threadId, out var execTime, out var errorCode, out var status, out var schema);
        var compressed = reader.ReadToEnd();
        var length = MariaDbCompression.ReadUncompressedLength(compressed, out var lengthBytes);
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
        try
        {
            var text = buffer.AsSpan(0, length);
            MariaDbCompression.Decompress(compressed[lengthBytes..], text);
            _ = body;
            _ = headerLength;
            return new QueryEvent(header, threadId, execTime, errorCode, schema, status, System.Text.Encoding.UTF8.GetString(text));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private RowsEvent DecodeRowsCompressed(EventHeader header, ReadOnlySpan<byte> body, int headerLength, FormatContext context)
    {
        RequireTableMap(new BinlogReader(body, headerLength), header.EventType, context);
        var head = MariaDbCompressedEvents.RowsCompressedOffset(body, header.EventType, context, headerLength, out var rowsStart);
        var compressed = body[head..];
        var length = MariaDbCompression.ReadUncompressedLength(compressed, out var lengthBytes);

        // The rows event keeps referring to its rows: they get their own array, not a pooled one.
        var rows = GC.AllocateUninitializedArray<byte>(head - rowsStart + length);
        body[rowsStart..head].CopyTo(rows);
        MariaDbCompression.Decompress(compressed[lengthBytes..], rows.AsSpan(head - rowsStart));
        return RowsEvent.Read(body[..rowsStart].ToArray(), header, context, _findTableMap, rows);
    }

    private TransactionPayloadEvent DecodeTransactionPayload(ref BinlogReader reader, EventHeader header, string? file, long position)
    {
        TransactionPayloadEvent.ReadHeader(ref reader, out var payloadSize, out var compression, out var uncompressedSize);
        var payloadOffset = reader.Offset;
        var payload = reader.ReadBytes((int)payloadSize);
        // Nested rows events keep referring to their bytes: the decompressed payload is their own array.
        ReadOnlyMemory<byte> eventsMemory;
        if (compression == PayloadCompression.Zstd)
        {
            _zstd ??= new ZstdPayloadDecompressor();
            eventsMemory = _zstd.DecompressToArray(payload, uncompressedSize);
        }
        else
        {
            eventsMemory = payload.ToArray();
        }

        var events = eventsMemory.Span;
        {
            var nested = new List<BinlogEvent>();
            var offset = 0;
            while (offset < events.Length)
            {
                var rest = events[offset..];
                if (!Framing.BinlogFraming.TryReadEventSize(rest, out var size) || size > rest.Length)
                {
                    throw new BinlogFormatException(
                        $"payload ends inside a nested event at payload offset {offset}", null, -1, header.EventType, payloadOffset);
                }

                var raw = rest[..size];
                var nestedHeader = EventHeader.Read(raw);
                if (nestedHeader.EventType is BinlogEventType.FormatDescription or BinlogEventType.TransactionPayload
                    or BinlogEventType.Rotate)
                {
                    throw new BinlogFormatException(
                        $"{nestedHeader.EventType} cannot be nested in a transaction payload", null, -1, header.EventType, payloadOffset);
                }

                // Events inside a payload carry no checksum (verified against MySQL 9.7 output).
                var nestedEvent = DecodeFrame(raw, eventsMemory.Slice(offset, size), nestedHeader, 0, file, position);
                nested.Add(nestedEvent);
                offset += size;
            }

            return new TransactionPayloadEvent(header, payloadSize, compression, uncompressedSize, nested);
        }
    }

    private void AfterDecode(BinlogEvent decoded)
    {
        switch (decoded)
        {
            case FormatDescriptionEvent fde:
                Format = fde.ToFormatContext();
                _sawFormatDescription = true;
                _tableMaps.Clear();
                _lastTableMaps.Clear();
                break;
            case TableMapEvent map:
                _tableMaps[map.TableId] = map;
                _lastTableMaps[map.TableId] = map;
                break;
            case RotateEvent:
            case GtidEvent:
            case MariaDbGtidEvent:
            case XidEvent:
                _tableMaps.Clear();
                break;
            case QueryEvent query when query.IsBegin || query.IsCommit || query.IsRollback:
                _tableMaps.Clear();
                break;
            default:
                break;
        }
    }

    public void Dispose() => _zstd?.Dispose();
}
