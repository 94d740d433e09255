using System.Buffers.Binary;
using System.Security.Cryptography;

namespace ReplicaKeeper.Archive.Storage;

/// <summary>Write-only stream that encrypts what is written to it in AES-256-GCM chunks (see <see cref="EncryptedFormat"/>).</summary>
internal sealed class EncryptingStream : Stream
{
    private readonly Stream _inner;
    private readonly AesGcm _aes;
    private readonly byte[] _header;
    private readonly byte[] _plain;
    private readonly byte[] _cipher;
    private readonly bool _leaveOpen;
    private int _filled;
    private uint _chunk;
    private bool _finished;

    public EncryptingStream(Stream inner, ArchiveKey key, int chunkSize = EncryptedFormat.DefaultChunkSize, bool leaveOpen = false)
    {
        _inner = inner;
        _leaveOpen = leaveOpen;
        _aes = new AesGcm(key.Bytes, EncryptedFormat.TagSize);
        _header = EncryptedFormat.Header(chunkSize, key.KeyId, RandomNumberGenerator.GetBytes(8));
        _plain = new byte[chunkSize];
        _cipher = new byte[chunkSize];
        _inner.Write(_header);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_finished;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!buffer.IsEmpty)
        {
            if (_filled == _plain.Length)
            {
                EmitChunk(final: false);
            }

            var take = Math.Min(buffer.Length, _plain.Length - _filled);
            buffer[..take].CopyTo(_plain.AsSpan(_filled));
            _filled += take;
            buffer = buffer[take..];
        }
    }

    public override void Flush() => _inner.Flush();

    /// <summary>Writes the final chunk; called by Dispose.</summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }

        EmitChunk(final: true);
        _finished = true;
        _inner.Flush();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Finish();
            _aes.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void EmitChunk(bool final)
    {
        Span<byte> nonce = stackalloc byte[EncryptedFormat.NonceSize];
        Span<byte> tag = stackalloc byte[EncryptedFormat.TagSize];
        Span<byte> length = stackalloc byte[4];
        EncryptedFormat.Nonce(_header, _chunk, nonce);
        var aad = EncryptedFormat.AssociatedData(_header, _chunk, final);
        _aes.Encrypt(nonce, _plain.AsSpan(0, _filled), _cipher.AsSpan(0, _filled), tag, aad);
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)_filled | (final ? EncryptedFormat.FinalFlag : 0));
        _inner.Write(length);
        _inner.Write(_cipher.AsSpan(0, _filled));
        _inner.Write(tag);
        _chunk++;
        _filled = 0;
    }
}
