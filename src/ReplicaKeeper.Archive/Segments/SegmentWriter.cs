using Microsoft.Win32.SafeHandles;
using ReplicaKeeper.Archive.Transactions;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Archive.Segments;

/// <summary>
/// Appends the master's events to segment files that are byte-identical to the master's binlog
/// files, and makes them durable transaction by transaction.
/// </summary>
/// <remarks>
/// <para>What is written mirrors <c>mysqlbinlog --raw</c>: a real FORMAT_DESCRIPTION (log_pos != 0)
/// opens <c>segments/&lt;name&gt;</c> (name from the preceding ROTATE) and writes the magic; every
/// event the master's file holds is appended with its checksum; a real ROTATE is appended and closes
/// the segment. Not written: the fake ROTATE at stream start (artificial / timestamp 0 / log_pos 0),
/// the fake FORMAT_DESCRIPTION sent when a dump starts past offset 4 (log_pos 0), heartbeats and any
/// other artificial event. Each written event must start where the segment ends (its log_pos minus
/// its size equals the segment length), otherwise <see cref="ArchiveStreamException"/>.</para>
/// <para>Durability: when an event completes a transaction, an fdatasync is requested; a single
/// flusher runs them back to back (group commit), and only after one returns does
/// <see cref="Durable"/> advance to the boundary it covers. Events of an unfinished transaction are
/// on disk but never durable; crash recovery cuts them.</para>
/// </remarks>
public sealed class SegmentWriter : IAsyncDisposable
{
    private readonly ArchiveLayout _layout;
    private readonly SegmentWriterOptions _options;
    private readonly Lock _gate = new();
    private OpenSegment? _current;
    private string? _nextFile;
    private ChecksumAlgorithm _streamChecksum = ChecksumAlgorithm.Undefined;

    private (OpenSegment Segment, DurablePosition Position)? _pendingFlush;
    private bool _flushing;
    private Task _flushTask = Task.CompletedTask;
    private Exception? _flushFailure;
    private DurablePosition? _durable;
    private DateTimeOffset _stateWritten = DateTimeOffset.MinValue;
    private readonly SemaphoreSlim _stateLock = new(1, 1);
    private (string File, long Position, DateTimeOffset? EventTime)? _master;

    private SegmentWriter(ArchiveLayout layout, SegmentWriterOptions options, RecoveredArchive recovery)
    {
        _layout = layout;
        _options = options;
        Recovery = recovery;
        _durable = recovery.Durable;
        _nextFile = recovery.ResumeFile;
        if (recovery.Active is { } active)
        {
            var handle = File.OpenHandle(layout.RawSegmentPath(active.Name), FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            _current = new OpenSegment(active.Name, handle, active.LastBoundary, active.Tracker) { LastTransaction = active.LastTransaction };
            _streamChecksum = active.Tracker.Checksum;
        }
    }

    /// <summary>What start-up recovery found (pending segments to seal, truncated tail, resume point).</summary>
    public RecoveredArchive Recovery { get; }

    /// <summary>File and offset to start the dump from: the end of the last durable transaction.</summary>
    public (string? File, long Position) ResumePoint => (Recovery.ResumeFile, Recovery.ResumePosition);

    /// <summary>Last position whose transaction end has been fsynced.</summary>
    public DurablePosition? Durable
    {
        get
        {
            lock (_gate)
            {
                return _durable;
            }
        }
    }

    /// <summary>Segment being written and its length (received, not necessarily durable).</summary>
    public (string? File, long Length) Received
    {
        get
        {
            var current = _current;
            return current is null ? (_nextFile, 0) : (current.Name, current.Length);
        }
    }

    /// <summary>The master's latest known position (from an event or heartbeat), persisted in state.json for 'archive status'.</summary>
    public void ReportMasterPosition(string file, long position, DateTimeOffset? eventTime)
    {
        lock (_gate)
        {
            _master = (file, position, eventTime);
        }
    }

    /// <summary>Runs crash recovery on the archive directory and opens the writer where it left off.</summary>
    public static async ValueTask<SegmentWriter> OpenAsync(ArchiveLayout layout, SegmentWriterOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(layout);
        var recovery = await SegmentRecovery.RecoverAsync(layout, cancellationToken);
        return new SegmentWriter(layout, options ?? new SegmentWriterOptions(), recovery);
    }

    /// <summary>Archives one event exactly as received from the dump stream (header to checksum).</summary>
    public async ValueTask<AppendResult> AppendAsync(ReadOnlyMemory<byte> eventBytes, CancellationToken cancellationToken)
    {
        ThrowIfFlushFailed();
        var header = ReadHeader(eventBytes.Span);
        switch (header.EventType)
        {
            case BinlogEventType.Heartbeat:
            case BinlogEventType.HeartbeatV2:
                return new AppendResult(AppendKind.Skipped);

            case BinlogEventType.Rotate when IsFake(header):
                return await FakeRotateAsync(eventBytes, cancellationToken);

            case BinlogEventType.FormatDescription when header.NextPosition == 0:
                // Sent before the first event when the dump starts past offset 4: describes the file, is not in it at that place.
                _streamChecksum = EventFacts.FormatChecksum(eventBytes.Span);
                if (_current is null)
                {
                    throw new ArchiveStreamException(
                        $"the dump started in the middle of {_nextFile ?? "a file"} that this archive does not hold; resume from {ResumePoint.File}:{ResumePoint.Position}");
                }

                return new AppendResult(AppendKind.Skipped);

            case BinlogEventType.FormatDescription:
                await StartSegmentAsync(header, cancellationToken);
                break;

            default:
                if (header.IsArtificial || header.NextPosition == 0)
                {
                    return new AppendResult(AppendKind.Skipped);
                }

                break;
        }

        var segment = _current ?? throw new ArchiveStreamException(
            $"{header.EventType} event (log_pos {header.NextPosition}) arrived before any FORMAT_DESCRIPTION opened a segment");
        var span = eventBytes.Span;
        var expectedStart = segment.Length;
        var start = (long)header.NextPosition - header.EventSize;
        if (start != expectedStart && segment.Length + header.EventSize <= uint.MaxValue)
        {
            throw new ArchiveStreamException(start > expectedStart
                ? $"gap in {segment.Name}: the archive ends at {expectedStart} but the next event starts at {start} ({header.EventType})"
                : $"overlap in {segment.Name}: the archive ends at {expectedStart} but the next event starts at {start} ({header.EventType}); already archived");
        }

        if (header.EventType == BinlogEventType.FormatDescription)
        {
            _streamChecksum = EventFacts.FormatChecksum(span);
        }

        if (_options.VerifyChecksums && _streamChecksum == ChecksumAlgorithm.Crc32 && !BinlogChecksum.IsValid(span))
        {
            throw new ArchiveStreamException($"CRC32 mismatch in {header.EventType} event for {segment.Name} at {start}; not archived");
        }

        RandomAccess.Write(segment.Handle, span, segment.Length);
        segment.Length += header.EventSize;
        var role = segment.Tracker.Observe(span, header, start);
        if (role == EventRole.End)
        {
            segment.LastTransaction = segment.Tracker.LastCompleted;
        }

        if (segment.Tracker.AtBoundary)
        {
            RequestFlush(segment);
        }

        if (header.EventType == BinlogEventType.Rotate)
        {
            var (next, _) = EventFacts.Rotate(span, segment.Tracker.ChecksumSize);
            _nextFile = next;
            await CloseCurrentAsync(cancellationToken);
            return new AppendResult(AppendKind.Written, segment.Name);
        }

        return new AppendResult(AppendKind.Written);
    }

    /// <summary>
    /// The open transaction will never complete (the source lost it, e.g. it crashed before the
    /// commit): its events are cut off the segment, which ends again at the last transaction end.
    /// </summary>
    public async ValueTask AbortOpenTransactionAsync(CancellationToken cancellationToken)
    {
        ThrowIfFlushFailed();
        var segment = _current;
        if (segment is null || segment.Tracker.AtBoundary)
        {
            return;
        }

        var boundary = segment.Tracker.CurrentTransactionStart;
        await FlushAsync(cancellationToken);
        segment.Tracker.AbandonOpenTransaction();
        RandomAccess.SetLength(segment.Handle, boundary);
        segment.Length = boundary;
        NativeMethods.SyncData(segment.Handle);
    }

    /// <summary>Waits until every complete transaction appended so far is fsynced.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task task;
            lock (_gate)
            {
                if (!_flushing && _pendingFlush is null)
                {
                    break;
                }

                task = _flushTask;
            }

            await task.WaitAsync(cancellationToken);
        }

        ThrowIfFlushFailed();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await FlushAsync(CancellationToken.None);
        }
        finally
        {
            _current?.Handle.Dispose();
            _current = null;
        }

        if (_flushFailure is null)
        {
            await WriteStateAsync(CancellationToken.None);
        }

        _stateLock.Dispose();
    }

    private static EventHeader ReadHeader(ReadOnlySpan<byte> span)
    {
        try
        {
            var header = EventHeader.Read(span);
            if (header.EventSize != span.Length)
            {
                throw new ArchiveStreamException($"event_size {header.EventSize} but {span.Length} bytes were received ({header.EventType})");
            }

            return header;
        }
        catch (BinlogFormatException ex)
        {
            throw new ArchiveStreamException("malformed event from the stream: " + ex.Message, ex);
        }
    }

    private static bool IsFake(EventHeader header) => header.IsArtificial || header.Timestamp == 0 || header.NextPosition == 0;

    private async ValueTask<AppendResult> FakeRotateAsync(ReadOnlyMemory<byte> eventBytes, CancellationToken cancellationToken)
    {
        var span = eventBytes.Span;
        var checksumSize = _streamChecksum switch
        {
            ChecksumAlgorithm.Crc32 => BinlogChecksum.Size,
            ChecksumAlgorithm.None => 0,
            _ => BinlogChecksum.IsValid(span) ? BinlogChecksum.Size : 0,
        };
        var (file, position) = EventFacts.Rotate(span, checksumSize);
        if (_current is { } current && (current.Name != file || (long)position > current.Length))
        {
            if (current.Name == file)
            {
                throw new ArchiveStreamException(
                    $"the stream resumes {file} at {position} but the archive holds it only up to {current.Length}");
            }

            // The stream moved on to another file without a ROTATE in this one (the master restarted or the file ended with STOP).
            await CloseCurrentAsync(cancellationToken);
        }

        _nextFile = file;
        return new AppendResult(AppendKind.Skipped);
    }

    private async ValueTask StartSegmentAsync(EventHeader header, CancellationToken cancellationToken)
    {
        var start = (long)header.NextPosition - header.EventSize;
        if (start != BinlogMagic.Size)
        {
            throw new ArchiveStreamException($"FORMAT_DESCRIPTION with log_pos {header.NextPosition} does not start a file at offset 4");
        }

        if (_current is not null)
        {
            await CloseCurrentAsync(cancellationToken);
        }

        var name = _nextFile ?? throw new ArchiveStreamException("FORMAT_DESCRIPTION arrived before any ROTATE named its file");
        var path = _layout.RawSegmentPath(name);
        if (File.Exists(path) && new FileInfo(path).Length > BinlogMagic.Size)
        {
            throw new ArchiveStreamException($"segment {name} already exists in {_layout.SegmentsDirectory}; refusing to overwrite it");
        }

        _layout.EnsureCreated();
        var handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        RandomAccess.Write(handle, BinlogMagic.Bytes, 0);
        NativeMethods.SyncData(handle);
        NativeMethods.FsyncDirectory(_layout.SegmentsDirectory);
        _current = new OpenSegment(name, handle, BinlogMagic.Size, new TransactionTracker());
    }

    private async ValueTask CloseCurrentAsync(CancellationToken cancellationToken)
    {
        var segment = _current;
        if (segment is null)
        {
            return;
        }

        RequestFlush(segment);
        await FlushAsync(cancellationToken);
        segment.Handle.Dispose();
        _current = null;
        await WriteStateAsync(cancellationToken);
        if (_options.SegmentClosed is { } closed)
        {
            await closed(segment.Name, cancellationToken);
        }
    }

    private void RequestFlush(OpenSegment segment)
    {
        var last = segment.LastTransaction;
        var position = new DurablePosition(
            segment.Name,
            segment.Length,
            segment.Tracker.Gtids?.ToString(),
            last?.Id?.ToString(),
            last is null ? null : DateTimeOffset.FromUnixTimeSeconds(last.Timestamp),
            segment.Tracker.IsMariaDb ?? false);
        lock (_gate)
        {
            _pendingFlush = (segment, position);
            if (!_flushing)
            {
                _flushing = true;
                _flushTask = Task.Run(FlushLoopAsync);
            }
        }
    }

    private async Task FlushLoopAsync()
    {
        while (true)
        {
            (OpenSegment Segment, DurablePosition Position) work;
            lock (_gate)
            {
                if (_pendingFlush is not { } pending || _flushFailure is not null)
                {
                    _pendingFlush = null;
                    _flushing = false;
                    return;
                }

                work = pending;
                _pendingFlush = null;
            }

            try
            {
                NativeMethods.SyncData(work.Segment.Handle);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
                lock (_gate)
                {
                    // After a failed fsync the page cache cannot be trusted: stop, recovery rescans on restart.
                    _flushFailure = ex;
                    _pendingFlush = null;
                    _flushing = false;
                }

                return;
            }

            lock (_gate)
            {
                _durable = work.Position;
            }

            _options.DurableAdvanced?.Invoke(work.Position);
            if (DateTimeOffset.UtcNow - _stateWritten >= _options.StateInterval)
            {
                await WriteStateAsync(CancellationToken.None);
            }
        }
    }

    private async ValueTask WriteStateAsync(CancellationToken cancellationToken)
    {
        await _stateLock.WaitAsync(cancellationToken);
        try
        {
            _stateWritten = DateTimeOffset.UtcNow;
            (string File, long Position, DateTimeOffset? EventTime)? master;
            lock (_gate)
            {
                master = _master;
            }

            var state = new ArchiveState(Durable, _stateWritten, master?.File, master?.Position, master?.EventTime);
            await state.WriteAsync(_layout, cancellationToken);
        }
        finally
        {
            _stateLock.Release();
        }
    }

    private void ThrowIfFlushFailed()
    {
        if (_flushFailure is { } failure)
        {
            throw new IOException("fsync of the archive failed; stop and restart (recovery rescans the segment)", failure);
        }
    }

    private sealed class OpenSegment(string name, SafeFileHandle handle, long length, TransactionTracker tracker)
    {
        public string Name { get; } = name;

        public SafeFileHandle Handle { get; } = handle;

        public long Length { get; set; } = length;

        public TransactionTracker Tracker { get; } = tracker;

        public CompletedTransaction? LastTransaction { get; set; }
    }
}
