using System.Runtime.CompilerServices;
using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Framing;

namespace ReplicaKeeper.Binlog;

/// <summary>One decoded event with its place in the file.</summary>
public readonly record struct PositionedEvent(string? File, long Position, long EndPosition, BinlogEvent Event);

/// <summary>How a <see cref="BinlogFileReader"/> reads.</summary>
public sealed record BinlogFileReaderOptions
{
    /// <summary>Verify CRC32 checksums (default on).</summary>
    public bool VerifyChecksums { get; init; } = true;

    /// <summary>
    /// A file that ends inside an event (still being written, or torn by a crash): false (default)
    /// throws <see cref="BinlogFormatException"/> naming the offset; true stops quietly after the last
    /// complete event (see <see cref="BinlogFileReader.LastCompleteEventEnd"/>).
    /// </summary>
    public bool AllowTornTail { get; init; }

    /// <summary>Check log_pos against the event's end (true for server-written binlogs, false for relay logs).</summary>
    public bool CheckEndPositions { get; init; } = true;

    /// <summary>
    /// Decode without copying: rows events then refer to the reader's buffer and are valid only
    /// until the next event is read (a streaming consumer that handles each event before moving on
    /// needs no copy). False (default): every event owns its bytes.
    /// </summary>
    public bool ReuseBuffers { get; init; }

    public static BinlogFileReaderOptions Default { get; } = new();
}

/// <summary>
/// Reads a binlog file: checks the magic, frames the events (<see cref="BinlogFrameScanner"/>),
/// verifies checksums and decodes each event (<see cref="BinlogEventDecoder"/>). Several files of
/// one server can share a decoder (pass it in) so a file's events can be read in order.
/// Errors are <see cref="BinlogFormatException"/> naming file and position.
/// </summary>
public sealed class BinlogFileReader : IDisposable
{
    private readonly BinlogFrameScanner _scanner;
    private readonly BinlogFileReaderOptions _options;
    private readonly bool _ownsDecoder;

    public BinlogFileReader(
        Stream stream, string? fileName = null, BinlogFileReaderOptions? options = null, BinlogEventDecoder? decoder = null,
        bool leaveOpen = false)
    {
        _options = options ?? BinlogFileReaderOptions.Default;
        _scanner = new BinlogFrameScanner(
            stream, fileName,
            new BinlogFrameScannerOptions { VerifyChecksums = _options.VerifyChecksums, CheckEndPositions = _options.CheckEndPositions },
            leaveOpen);
        _ownsDecoder = decoder is null;
        // The scanner has verified each frame's checksum already; the decoder need not do it twice.
        Decoder = decoder ?? new BinlogEventDecoder(new BinlogDecoderOptions { VerifyChecksums = false });
    }

    /// <summary>Opens a binlog file.</summary>
    public static BinlogFileReader Open(string path, BinlogFileReaderOptions? options = null, BinlogEventDecoder? decoder = null)
    {
        var stream = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Open,
            Access = FileAccess.Read,
            Share = FileShare.ReadWrite | FileShare.Delete,
            Options = FileOptions.SequentialScan | FileOptions.Asynchronous,
            BufferSize = 0,
        });
        return new BinlogFileReader(stream, Path.GetFileName(path), options, decoder);
    }

    public string? FileName => _scanner.FileName;

    public BinlogEventDecoder Decoder { get; }

    /// <summary>Offset just past the last complete event read so far.</summary>
    public long LastCompleteEventEnd => _scanner.LastCompleteEventEnd;

    /// <summary>How the file ended (after enumeration finished).</summary>
    public BinlogScanEnd End => _scanner.End;

    /// <summary>The events in file order.</summary>
    public IEnumerable<PositionedEvent> ReadEvents()
    {
        while (_scanner.MoveNext())
        {
            yield return DecodeCurrent();
        }

        CheckEnd();
    }

    /// <summary>The events in file order, read asynchronously.</summary>
    public async IAsyncEnumerable<PositionedEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await _scanner.MoveNextAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return DecodeCurrent();
        }

        CheckEnd();
    }

    private PositionedEvent DecodeCurrent()
    {
        var frame = _scanner.Current;
        var decoded = _options.ReuseBuffers
            ? Decoder.Decode(frame.Bytes, _scanner.FileName, frame.Position)
            : Decoder.Decode(frame.Bytes.Span, _scanner.FileName, frame.Position);
        return new PositionedEvent(_scanner.FileName, frame.Position, frame.EndPosition, decoded);
    }

    private void CheckEnd()
    {
        if (_scanner.End == BinlogScanEnd.TornTail && !_options.AllowTornTail)
        {
            throw new BinlogFormatException(
                $"file ends inside an event: {_scanner.TornTailLength} byte(s) after the last complete event",
                _scanner.FileName, _scanner.LastCompleteEventEnd, null, 0);
        }
    }

    public void Dispose()
    {
        _scanner.Dispose();
        if (_ownsDecoder)
        {
            Decoder.Dispose();
        }
    }
}
