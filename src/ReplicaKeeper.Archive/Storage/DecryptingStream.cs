using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ReplicaKeeper.Archive.Storage;

/// <summary>Read-only stream over an encrypted segment; each chunk is authenticated before any of its bytes are returned.</summary>
internal sealed class DecryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly byte[] _header = new byte[EncryptedFormat.HeaderSize];
    private readonly byte[] _plain;
    private readonly byte[] _cipher;
    private readonly string _name;
    private int _available;
    private int _consumed;
    private uint _chunk;
    private bool _sawFinal;

    public DecryptingStream(Stream inner, ArchiveKey? key, string name)
    {
        _inner = inner;
        _name = name;
        if (ReadFully(_header) < EncryptedFormat.HeaderSize || !EncryptedFormat.IsEncrypted(_header))
        {
            throw new InvalidDataException($"{name}: not an encrypted segment (header missing)");
        }

        if (_header[5] != EncryptedFormat.Version || _header[6] != EncryptedFormat.AesGcm256)
        {
            throw new InvalidDataException($"{name}: unsupported encryption format {EncryptedFormat.Describe(_header)}");
        }

        var keyId = EncryptedFormat.KeyId(_header);
        if (key is null)
        {
            throw new ArchiveKeyException(
                $"{name} is encrypted (AES-256-GCM, key id {keyId}) and no archive key is configured; pass --key-file or set {ArchiveKey.DefaultEnvironmentVariable}");
        }

        if (!string.Equals(key.KeyId, keyId, StringComparison.Ordinal))
        {
            throw new ArchiveKeyException(
                $"{name} was encrypted with key id {keyId} but the configured key has id {key.KeyId}: wrong key");
        }

        var chunkSize = (int)BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(7));
        if (chunkSize is <= 0 or > 64 << 20)
        {
            throw new InvalidDataException($"{name}: implausible chunk size {chunkSize}");
        }

        _aes = new AesGcm(key.Bytes, EncryptedFormat.TagSize);
        _plain = new byte[chunkSize];
        _cipher = new byte[chunkSize];
    }

    public static string? PeekKeyId(ReadOnlySpan<byte> start) =>
        start.Length >= EncryptedFormat.HeaderSize && EncryptedFormat.IsEncrypted(start) ? EncryptedFormat.KeyId(start) : null;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (_consumed == _available)
        {
            if (_sawFinal || !NextChunk())
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _available - _consumed);
        _plain.AsSpan(_consumed, n).CopyTo(buffer);
        _consumed += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _aes.Dispose();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private bool NextChunk()
    {
        Span<byte> lengthBytes = stackalloc byte[4];
        var got = ReadFully(lengthBytes);
        if (got == 0)
        {
            throw new InvalidDataException($"{_name}: encrypted data ends after chunk {_chunk} without a final chunk (truncated)");
        }

        if (got < 4)
        {
            throw new InvalidDataException($"{_name}: torn chunk header at chunk {_chunk}");
        }

        var raw = BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        var final = (raw & EncryptedFormat.FinalFlag) != 0;
        var length = (int)(raw & ~EncryptedFormat.FinalFlag);
        if (length > _plain.Length)
        {
            throw new InvalidDataException($"{_name}: chunk {_chunk} claims {length} bytes, more than the chunk size {_plain.Length}");
        }

        Span<byte> tag = stackalloc byte[EncryptedFormat.TagSize];
        if (ReadFully(_cipher.AsSpan(0, length)) < length || ReadFully(tag) < EncryptedFormat.TagSize)
        {
            throw new InvalidDataException($"{_name}: chunk {_chunk} is truncated");
        }

        Span<byte> nonce = stackalloc byte[EncryptedFormat.NonceSize];
        EncryptedFormat.Nonce(_header, _chunk, nonce);
        try
        {
            _aes.Decrypt(nonce, _cipher.AsSpan(0, length), tag, _plain.AsSpan(0, length), EncryptedFormat.AssociatedData(_header, _chunk, final));
        }
        catch (AuthenticationTagMismatchException ex)
        {
            throw new InvalidDataException($"{_name}: chunk {_chunk} failed authentication (modified data)", ex);
        }

        _chunk++;
        _available = length;
        _consumed = 0;
        if (final)
        {
            _sawFinal = true;
            Span<byte> probe = stackalloc byte[1];
            if (ReadFully(probe) != 0)
            {
                throw new InvalidDataException($"{_name}: data after the final chunk");
            }
        }

        if (length > 0)
        {
            return true;
        }

        return !final && NextChunk();
    }

    private int ReadFully(Span<byte> target)
    {
        var total = 0;
        while (total < target.Length)
        {
            var n = _inner.Read(target[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
