using System.Buffers;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Binlog.Framing;

/// <summary>How a scan ended.</summary>
public enum BinlogScanEnd
{
    /// <summary>Still scanning (or not started).</summary>
    None = 0,

    /// <summary>The file ends exactly after a complete event.</summary>
    Clean = 1,

    /// <summary>
    /// The file ends inside an event (a partial write or a file still being written): everything
    /// up to <see cref="BinlogFrameScanner.LastCompleteEventEnd"/> is whole.
    /// </summary>
    TornTail = 2,
}

/// <summary>
/// Splits a binlog file (or any stream holding one) into event frames: checks the magic
/// 0xFE 'b' 'i' 'n', then yields each event's position, header and raw bytes (checksum trailer
/// included), verifying CRC32s as the FORMAT_DESCRIPTION says. Knows nothing about what the
/// events mean. A file that ends inside an event is a torn tail (<see cref="End"/> =
/// <see cref="BinlogScanEnd.TornTail"/>, no exception); a bad magic, an impossible event_size,
/// a wrong log_pos or a checksum mismatch is corruption and throws
/// <see cref="BinlogFormatException"/> naming the file and the event position.
/// One pooled buffer per scanner; no allocation per event. Not thread-safe.
/// </summary>
public sealed class BinlogFrameScanner : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly BinlogFrameScannerOptions _options;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private bool _eof;
    private bool _started;
    private long _position;
    private ChecksumAlgorithm _checksum;
    private BinlogFrame _current;

    public BinlogFrameScanner(Stream stream, string? fileName = null, BinlogFrameScannerOptions? options = null, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? BinlogFrameScannerOptions.Default;
        FileName = fileName;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Max(4096, _options.BufferSize));
        _position = _options.StartPosition;
        _checksum = _options.InitialChecksum;
        LastCompleteEventEnd = _options.StartPosition;
    }

    /// <summary>Opens a file for scanning (sequential, asynchronous-capable FileStream).</summary>
    public static BinlogFrameScanner Open(string path, BinlogFrameScannerOptions? options = null)
    {
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
            BufferSize = 0,
        });
        try
        {
            if (options is { StartPosition: > 0 })
            {
                stream.Seek(options.StartPosition, SeekOrigin.Begin);
            }

            return new BinlogFrameScanner(stream, Path.GetFileName(path), options);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    public string? FileName { get; }

    /// <summary>The frame <see cref="MoveNext"/> last produced (its bytes are valid until the next move).</summary>
    public BinlogFrame Current => _current;

    /// <summary>Offset where the next event starts.</summary>
    public long Position => _position;

    /// <summary>Offset just past the last complete event (4 after the magic of an event-less file).</summary>
    public long LastCompleteEventEnd { get; private set; }

    /// <summary>Checksum algorithm in force for the next event.</summary>
    public ChecksumAlgorithm Checksum => _checksum;

    /// <summary>How the scan ended (after <see cref="MoveNext"/> returned false).</summary>
    public BinlogScanEnd End { get; private set; }

    /// <summary>Bytes after <see cref="LastCompleteEventEnd"/> when the tail is torn.</summary>
    public int TornTailLength { get; private set; }

    /// <summary>Advances to the next event; false at the end of the file (see <see cref="End"/>).</summary>
    public bool MoveNext()
    {
        while (true)
        {
            var state = Step();
            if (state != StepResult.NeedData)
            {
                return state == StepResult.Frame;
            }

            Fill(_stream.Read(FreeSpace()));
        }
    }

    /// <inheritdoc cref="MoveNext"/>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var state = Step();
            if (state != StepResult.NeedData)
            {
                return state == StepResult.Frame;
            }

            Fill(await _stream.ReadAsync(FreeMemory(), cancellationToken).ConfigureAwait(false));
        }
    }

    private enum StepResult
    {
        Frame,
        NeedData,
        Done,
    }

    private StepResult Step()
    {
        if (End != BinlogScanEnd.None)
        {
            return StepResult.Done;
        }

        var available = _buffer.AsSpan(_start, _end - _start);
        if (!_started)
        {
            if (_options.StartPosition > 0)
            {
                _started = true;
            }
            else if (available.Length < BinlogFraming.MagicLength)
            {
                if (!_eof)
                {
                    return StepResult.NeedData;
                }

                if (!BinlogFraming.Magic.StartsWith(available))
                {
                    throw Corrupt("not a binlog file: bad magic number", 0, null, 0);
                }

                return Finish(available.Length);
            }
            else
            {
                if (!BinlogFraming.StartsWithMagic(available))
                {
                    throw Corrupt("not a binlog file: bad magic number", 0, null, 0);
                }

                _start += BinlogFraming.MagicLength;
                _position = BinlogFraming.MagicLength;
                LastCompleteEventEnd = _position;
                _started = true;
                available = available[BinlogFraming.MagicLength..];
            }
        }

        int size;
        try
        {
            if (!BinlogFraming.TryReadEventSize(available, out size, _options.MaxEventSize))
            {
                return _eof ? Finish(available.Length) : NeedMore(EventHeader.Size);
            }
        }
        catch (BinlogFormatException e)
        {
            throw e.WithLocation(FileName, _position);
        }

        if (available.Length < size)
        {
            return _eof ? Finish(available.Length) : NeedMore(size);
        }

        var raw = available[..size];
        var header = EventHeader.Read(raw);
        if (_options.CheckEndPositions && header.NextPosition != 0 && header.NextPosition != (uint)(_position + size))
        {
            throw Corrupt(
                $"log_pos {header.NextPosition} does not match the event end {_position + size}", _position, header.EventType, 13);
        }

        int checksumLength;
        try
        {
            checksumLength = BinlogFraming.ChecksumLength(raw, _checksum);
            if (_options.VerifyChecksums)
            {
                BinlogFraming.VerifyChecksum(raw, _checksum, FileName, _position);
            }

            _checksum = BinlogFraming.ChecksumAfter(raw, _checksum);
        }
        catch (BinlogFormatException e)
        {
            throw e.WithLocation(FileName, _position, header.EventType);
        }

        _current = new BinlogFrame(_position, header, _buffer.AsMemory(_start, size), checksumLength);
        _start += size;
        _position += size;
        LastCompleteEventEnd = _position;
        return StepResult.Frame;
    }

    private StepResult NeedMore(int frameSize)
    {
        // Make room: move the partial event to the front, grow for events larger than the buffer.
        if (frameSize > _buffer.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(frameSize, _buffer.Length * 2));
            _buffer.AsSpan(_start, _end - _start).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = bigger;
            _end -= _start;
            _start = 0;
        }
        else if (_start > 0 && _buffer.Length - _start < frameSize)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        return StepResult.NeedData;
    }

    private StepResult Finish(int leftover)
    {
        End = leftover == 0 ? BinlogScanEnd.Clean : BinlogScanEnd.TornTail;
        TornTailLength = leftover;
        _current = default;
        return StepResult.Done;
    }

    private Span<byte> FreeSpace()
    {
        if (_end == _buffer.Length)
        {
            NeedMore(_buffer.Length + 1);
        }

        return _buffer.AsSpan(_end);
    }

    private Memory<byte> FreeMemory()
    {
        if (_end == _buffer.Length)
        {
            NeedMore(_buffer.Length + 1);
        }

        return _buffer.AsMemory(_end);
    }

    private void Fill(int read)
    {
        if (read == 0)
        {
            _eof = true;
        }

        _end += read;
    }

    private BinlogFormatException Corrupt(string reason, long position, BinlogEventType? type, int offset) =>
        new(reason, FileName, position, type, offset);

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
