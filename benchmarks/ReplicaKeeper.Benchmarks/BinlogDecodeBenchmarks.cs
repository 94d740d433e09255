using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Columns;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Output;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Benchmarks;

/// <summary>
/// Decoding the whole reference binlog (benchmarks/make-reference-binlog.sh) from memory, one
/// operation = one pass over the file. The baseline frames the events and checks their CRC32 only;
/// the other methods also decode every TABLE_MAP and every row value. Figures to read: MB/s = file
/// size / mean, and allocated bytes per binlog byte (printed after the summary by Program).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ShortInProcessConfig))]
public class BinlogDecodeBenchmarks
{
    private byte[] _file = [];
    private readonly Dictionary<ulong, TableMapEvent> _maps = [];
    private readonly RowChange _change = new();
    private readonly ArrayBufferWriter<byte> _json = new(1 << 16);
    private Func<ulong, TableMapEvent?> _lookup = null!;

    public static long FileLength => ReferenceBinlog.Bytes.LongLength;

    [GlobalSetup]
    public void Setup()
    {
        _file = ReferenceBinlog.Bytes;
        _lookup = id => _maps.GetValueOrDefault(id);
    }

    /// <summary>Frame scanning + CRC32 of every event: the floor any reader pays.</summary>
    [Benchmark(Baseline = true)]
    public long FrameScanAndCrc()
    {
        var data = _file.AsSpan();
        long pos = 4, acc = 0;
        while (pos + EventHeader.Size <= data.Length)
        {
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(data[(int)(pos + 9)..]);
            var ev = data.Slice((int)pos, size);
            acc += Crc32.HashToUInt32(ev[..^4]) == BinaryPrimitives.ReadUInt32LittleEndian(ev[^4..]) ? 1 : 0;
            pos += size;
        }

        return acc;
    }

    /// <summary>CRC32 + every TABLE_MAP + every row value decoded into reusable cells (no strings).</summary>
    [Benchmark]
    public long DecodeEveryValue() => Decode(static (change, _) => (change.HasBefore ? RowValueSink.Touch(change.Before) : 0)
        + (change.HasAfter ? RowValueSink.Touch(change.After) : 0));

    /// <summary>As DecodeEveryValue, and every value formatted to its UTF-8 text (DECIMAL digits, datetimes, JSON text).</summary>
    [Benchmark]
    public long DecodeAndFormatEveryValue() => Decode(static (change, json) => (change.HasBefore ? RowValueSink.Format(change.Before, json) : 0)
        + (change.HasAfter ? RowValueSink.Format(change.After, json) : 0));

    /// <summary>As DecodeEveryValue, and every row written as a JSON object (RowJsonWriter) into a reused buffer.</summary>
    [Benchmark]
    public long DecodeToJsonRows()
    {
        var output = new ArrayBufferWriter<byte>(1 << 20);
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true });
        return Decode((change, _) =>
        {
            RowJsonWriter.WriteChange(writer, change);
            writer.Flush();
            var n = output.WrittenCount;
            output.ResetWrittenCount();
            writer.Reset(output);
            return n;
        });
    }

    /// <summary>Naive consumer for comparison: every value boxed into an object[] per row (strings for text/decimal/dates).</summary>
    [Benchmark]
    public long DecodeBoxedObjects() => Decode(static (change, _) => (change.HasBefore ? RowValueSink.Boxed(change.Before) : 0)
        + (change.HasAfter ? RowValueSink.Boxed(change.After) : 0));

    /// <summary>The events helper's BinlogFileReader (frame scanner + dispatcher, buffers reused) with every row value decoded.</summary>
    [Benchmark]
    public long FileReaderDecodeEveryValue()
    {
        using var stream = new MemoryStream(_file, writable: false);
        using var reader = new BinlogFileReader(stream, "reference.binlog", new BinlogFileReaderOptions { ReuseBuffers = true });
        long acc = 0;
        foreach (var positioned in reader.ReadEvents())
        {
            if (positioned.Event is RowsEvent rows)
            {
                var rowReader = rows.GetRows();
                while (rowReader.Read(_change))
                {
                    acc += (_change.HasBefore ? RowValueSink.Touch(_change.Before) : 0) + (_change.HasAfter ? RowValueSink.Touch(_change.After) : 0);
                }
            }
        }

        return acc;
    }

    private long Decode(Func<RowChange, ArrayBufferWriter<byte>, long> consume)
    {
        var memory = _file.AsMemory();
        var data = _file.AsSpan();
        var context = FormatContext.Default;
        _maps.Clear();
        long pos = 4, acc = 0;
        while (pos + EventHeader.Size <= data.Length)
        {
            var header = EventHeader.Read(data[(int)pos..]);
            var size = (int)header.EventSize;
            var ev = data.Slice((int)pos, size);
            if (header.EventType == BinlogEventType.FormatDescription)
            {
                var trailer = FormatDescriptionEvent.ChecksumTrailerLength(ev);
                var fdeReader = new BinlogReader(ev[EventHeader.Size..^trailer], EventHeader.Size);
                var fde = FormatDescriptionEvent.Read(ref fdeReader, header, context);
                context = new FormatContext(fde.BinlogVersion, fde.ServerVersion, fde.PostHeaderLengths, fde.ChecksumAlgorithm);
                pos += size;
                continue;
            }

            var checksum = context.ChecksumSize;
            if (checksum > 0 && Crc32.HashToUInt32(ev[..^4]) != BinaryPrimitives.ReadUInt32LittleEndian(ev[^4..]))
            {
                throw new BinlogFormatException("CRC32 mismatch", null, pos, header.EventType, size - 4);
            }

            var body = memory.Slice((int)pos + EventHeader.Size, size - EventHeader.Size - checksum);
            if (header.EventType == BinlogEventType.TableMap)
            {
                var reader = new BinlogReader(body.Span, EventHeader.Size);
                var id = BinaryPrimitives.ReadUInt32LittleEndian(body.Span) | ((ulong)BinaryPrimitives.ReadUInt16LittleEndian(body.Span[4..]) << 32);
                _maps.TryGetValue(id, out var cached);
                var map = TableMapEvent.Read(ref reader, header, context, cached);
                _maps[map.TableId] = map;
            }
            else if (RowsEvent.IsRowsEvent(header.EventType))
            {
                var rows = RowsEvent.Read(body, header, context, _lookup);
                var rowReader = rows.GetRows();
                while (rowReader.Read(_change))
                {
                    acc += consume(_change, _json);
                }
            }

            pos += size;
        }

        return acc;
    }
}
