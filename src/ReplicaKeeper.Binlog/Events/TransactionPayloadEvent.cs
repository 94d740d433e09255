using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// MySQL TRANSACTION_PAYLOAD_EVENT (40, binlog_transaction_compression=ON): a whole transaction's
/// events, compressed. Header: TLV fields (type, length, value as packed integers):
/// 1 = payload size, 2 = compression type (0 zstd, 255 none), 3 = uncompressed size, 0 = end;
/// then the payload. The nested events carry no checksum and have log_pos 0; the dispatcher
/// decompresses and decodes them into <see cref="Events"/>.
/// </summary>
public sealed record TransactionPayloadEvent(
    EventHeader Header,
    ulong PayloadSize,
    PayloadCompression Compression,
    ulong UncompressedSize,
    IReadOnlyList<BinlogEvent> Events) : BinlogEvent(Header)
{
    /// <summary>Reads the TLV header; the reader is left at the payload, which is <paramref name="payloadSize"/> bytes.</summary>
    public static void ReadHeader(
        ref BinlogReader reader, out ulong payloadSize, out PayloadCompression compression, out ulong uncompressedSize)
    {
        ulong? size = null;
        PayloadCompression? type = null;
        uncompressedSize = 0;
        while (true)
        {
            var field = reader.ReadLengthEncodedInteger();
            if (field == 0)
            {
                break;
            }

            var length = reader.ReadLengthEncodedLength();
            var value = new BinlogReader(reader.ReadBytes(length), reader.Offset - length);
            switch (field)
            {
                case 1:
                    size = value.ReadLengthEncodedInteger();
                    break;
                case 2:
                    var code = value.ReadLengthEncodedInteger();
                    type = code switch
                    {
                        0 => PayloadCompression.Zstd,
                        255 => PayloadCompression.None,
                        _ => throw reader.Error($"unknown payload compression type {code}"),
                    };
                    break;
                case 3:
                    uncompressedSize = value.ReadLengthEncodedInteger();
                    break;
                default:
                    break;
            }
        }

        if (size is null || type is null)
        {
            throw reader.Error("TRANSACTION_PAYLOAD header lacks the payload size or compression type");
        }

        if (size.Value > (ulong)reader.Remaining)
        {
            throw reader.Error($"payload size {size.Value} exceeds the {reader.Remaining} remaining byte(s)");
        }

        payloadSize = size.Value;
        compression = type.Value;
    }
}

/// <summary>Compression of a TRANSACTION_PAYLOAD (MySQL mysql::binlog::event::compression::type).</summary>
public enum PayloadCompression : byte
{
    Zstd = 0,
    None = 255,
}
