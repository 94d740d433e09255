namespace ReplicaKeeper.Binlog.Tests.Framing;

/// <summary>A read-only stream over bytes whose reads stop at given split points (and return at most a chunk size).</summary>
public sealed class ChunkedStream(byte[] data, int maxChunk = int.MaxValue, params int[] splits) : Stream
{
    private int _position;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => data.Length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var limit = data.Length;
        foreach (var split in splits)
        {
            if (split > _position && split < limit)
            {
                limit = split;
            }
        }

        var n = Math.Min(Math.Min(buffer.Length, maxChunk), limit - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
