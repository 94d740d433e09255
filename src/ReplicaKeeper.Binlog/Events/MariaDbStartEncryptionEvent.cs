using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Events;

/// <summary>
/// MariaDB START_ENCRYPTION_EVENT (164, encrypt_binlog=ON): the rest of the file is encrypted.
/// Layout: scheme(1) key_version(4) nonce(12). Events after it cannot be framed without the key.
/// </summary>
public sealed record MariaDbStartEncryptionEvent(EventHeader Header, byte Scheme, uint KeyVersion, byte[] Nonce)
    : BinlogEvent(Header)
{
    public static MariaDbStartEncryptionEvent Read(ref BinlogReader reader, EventHeader header, FormatContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var scheme = reader.ReadByte();
        var keyVersion = reader.ReadUInt32LE();
        var nonce = reader.ReadBytes(12).ToArray();
        return new MariaDbStartEncryptionEvent(header, scheme, keyVersion, nonce);
    }
}
