using System.Buffers;
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
/// <para>Durability (group commit): <see cref="AppendAsync"/> only copies the event into memory and
/// never touches the disk, so receiving from the socket is never held up by an fsync. One flusher
/// thread takes everything received so far in one go, writes it with a single pwrite, runs a
/// single fdatasync for it, and only then advances <see cref="Durable"/> to the last transaction
/// end inside what it wrote. While that fsync runs, the next group accumulates. Events of an
/// unfinished transaction may be on disk but are never durable; crash recovery cuts them.</para>
/// </remarks>
public sealed class SegmentWriter : IAsyncDisposable
{
    private readonly ArchiveLayout _layout;
    private readonly SegmentWriterOptions _options;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _wake = new(0);
    private readonly Task _flusher;
    private OpenSegment? _current;
    private string? _nextFile;
    private ChecksumAlgorithm _streamChecksum = ChecksumAlgorithm.Undefined;

    // Guarded by _gate: received bytes not yet handed to the flusher, and the newest transaction
    // boundary among them (with the transactions completed since the last hand-over).
    private ArrayBufferWriter<byte> _received = new(1 << 16);
    private ArrayBufferWriter<byte> _spare = new(1 << 16);
    private OpenSegment? _receivedSegment;
    private long _receivedFileOffset;
    private Boundary? _boundary;
    private List<CompletedTransaction> _completed = [];
    private bool _signaled;
    private bool _busy;
    private bool _stopping;
    private TaskCompletionSource _cycleDone = NewCycle();
    private Exception? _flushFailure;
    private DurablePosition? _durable;
    private (string File, long Position, DateTimeOffset? EventTime)? _master;

    private DateTimeOffset _stateWritten = DateTimeOffset.MinValue;
    private Task _stateTask = Task.CompletedTask;
    private readonly SemaphoreSlim _stateLock = new(1, 1);

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
            _receivedSegment = _current;
            _receivedFileOffset = active.LastBoundary;
            _streamChecksum = active.Tracker.Checksum;
        }

        // fdatasync blocks its thread for as long as the disk takes: a thread of its own keeps it
        // off the thread pool, which the receiving side needs to stay responsive.
        _flusher = Task.Factory.StartNew(FlushLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
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

    /// <summary>Segment being written and its length (received, not necessarily on disk or durable).</summary>
    public (string? File, long Length) Received
    {
        get
        {
            lock (_gate)
            {
                var current = _current;
                return current is null ? (_nextFile, 0) : (current.Name, current.Length);
            }
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

    /// <summary>
    /// Archives one event exactly as received from the dump stream (header to checksum). The event
    /// is copied: the caller may reuse <paramref name="eventBytes"/> as soon as this returns.
    /// </summary>
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

        bool overfull;
        lock (_gate)
        {
            // Observe and the boundary hand-over share the lock: the flusher reads the tracker's GTID
            // state when it takes a group, and it must see the state of exactly that boundary.
            var role = segment.Tracker.Observe(span, header, start);
            _received.Write(span);
            segment.Length += header.EventSize;
            if (role == EventRole.End)
            {
                segment.LastTransaction = segment.Tracker.LastCompleted;
                if (_options.TransactionsDurable is not null && segment.LastTransaction is { } completed)
                {
                    _completed.Add(completed);
                }
            }

            if (segment.Tracker.AtBoundary)
            {
                _boundary = new Boundary(segment, segment.Length, segment.LastTransaction);
                SignalLocked();
            }

            overfull = _received.WrittenCount >= _options.MaxBufferedBytes;
            if (overfull)
            {
                SignalLocked();
            }
        }

        if (overfull)
        {
            await WaitForFlusherAsync(cancellationToken);
        }

        if (header.EventType == BinlogEventType.Rotate)
        {
            var (next, _) = EventFacts.Rotate(eventBytes.Span, segment.Tracker.ChecksumSize);
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
        lock (_gate)
        {
            segment.Tracker.AbandonOpenTransaction();
            segment.Length = boundary;
            _receivedFileOffset = boundary;
        }

        RandomAccess.SetLength(segment.Handle, boundary);
        Sync(segment.Handle);
    }

    /// <summary>Waits until everything appended so far is written and every complete transaction in it is fsynced.</summary>
    public async ValueTask FlushAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task cycle;
            lock (_gate)
            {
                if (_flushFailure is not null || (_received.WrittenCount == 0 && _boundary is null && !_busy && !_signaled))
                {
                    break;
                }

                cycle = _cycleDone.Task;
                SignalLocked();
            }

            await cycle.WaitAsync(cancellationToken);
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
            lock (_gate)
            {
                _stopping = true;
                SignalLocked(force: true);
            }

            await _flusher;
            _current?.Handle.Dispose();
            _current = null;
            await _stateTask;
        }

        if (_flushFailure is null)
        {
            await WriteStateAsync(CancellationToken.None);
        }

        _stateLock.Dispose();
        _wake.Dispose();
    }

    private static TaskCompletionSource NewCycle() => new(TaskCreationOptions.RunContinuationsAsynchronously);

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
        Sync(handle);
        NativeMethods.FsyncDirectory(_layout.SegmentsDirectory);
        var segment = new OpenSegment(name, handle, BinlogMagic.Size, new TransactionTracker());
        lock (_gate)
        {
            // The previous segment was flushed and closed: nothing is pending for it any more.
            _current = segment;
            _receivedSegment = segment;
            _receivedFileOffset = BinlogMagic.Size;
        }
    }

    private async ValueTask CloseCurrentAsync(CancellationToken cancellationToken)
    {
        var segment = _current;
        if (segment is null)
        {
            return;
        }

        var atBoundary = segment.Tracker.AtBoundary;
        if (atBoundary)
        {
            lock (_gate)
            {
                _boundary ??= new Boundary(segment, segment.Length, segment.LastTransaction);
            }
        }

        await FlushAsync(cancellationToken);
        if (!atBoundary)
        {
            // The file ended inside a transaction (the source moved on without finishing it): keep
            // every byte the master's file has, durable, but the durable position stays at the boundary.
            Sync(segment.Handle);
        }

        lock (_gate)
        {
            _current = null;
            _receivedSegment = null;
        }

        segment.Handle.Dispose();
        StartStateWrite(force: true);
        if (_options.SegmentClosed is { } closed)
        {
            await closed(segment.Name, cancellationToken);
        }
    }

    private async ValueTask WaitForFlusherAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task cycle;
            lock (_gate)
            {
                if (_flushFailure is not null || _received.WrittenCount < _options.MaxBufferedBytes)
                {
                    break;
                }

                cycle = _cycleDone.Task;
                SignalLocked();
            }

            await cycle.WaitAsync(cancellationToken);
        }

        ThrowIfFlushFailed();
    }

    /// <summary>Wakes the flusher (at most one pending wake-up). Call with <see cref="_gate"/> held.</summary>
    private void SignalLocked(bool force = false)
    {
        if (!_signaled || force)
        {
            _signaled = true;
            _wake.Release();
        }
    }

    /// <summary>
    /// The flusher: takes the whole received group, writes it at once, fsyncs once, advances the
    /// durable position to the group's last transaction end, and goes again while more arrived.
    /// </summary>
    private void FlushLoop()
    {
        while (true)
        {
            _wake.Wait();
            while (true)
            {
                ArrayBufferWriter<byte> group;
                OpenSegment? segment;
                long fileOffset;
                DurablePosition? position;
                List<CompletedTransaction>? transactions = null;
                lock (_gate)
                {
                    _signaled = false;
                    if (_flushFailure is not null || (_received.WrittenCount == 0 && _boundary is null))
                    {
                        _busy = false;
                        CompleteCycleLocked();
                        if (_stopping)
                        {
                            return;
                        }

                        break;
                    }

                    _busy = true;
                    group = _received;
                    _received = _spare;
                    _spare = group;
                    segment = _receivedSegment;
                    fileOffset = _receivedFileOffset;
                    _receivedFileOffset += group.WrittenCount;
                    position = _boundary is { } boundary ? boundary.ToPosition() : null;
                    _boundary = null;
                    if (position is not null && _completed.Count > 0)
                    {
                        transactions = _completed;
                        _completed = [];
                    }
                }

                try
                {
                    if (group.WrittenCount > 0)
                    {
                        RandomAccess.Write(segment!.Handle, group.WrittenSpan, fileOffset);
                    }

                    if (position is not null)
                    {
                        Sync(segment!.Handle);
                    }
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or UnauthorizedAccessException)
                {
                    lock (_gate)
                    {
                        // After a failed write or fsync the page cache cannot be trusted: stop, recovery rescans on restart.
                        _flushFailure = ex;
                        _busy = false;
                        CompleteCycleLocked();
                    }

                    continue;
                }
                finally
                {
                    group.ResetWrittenCount();
                }

                if (position is not null)
                {
                    lock (_gate)
                    {
                        _durable = position;
                    }

                    NotifyObservers(position, transactions);
                    StartStateWrite(force: false);
                }

                lock (_gate)
                {
                    CompleteCycleLocked();
                }
            }
        }
    }

    private void NotifyObservers(DurablePosition position, List<CompletedTransaction>? transactions)
    {
        try
        {
            _options.DurableAdvanced?.Invoke(position);
            _options.TransactionsDurable?.Invoke(new DurableBatch(position, (IReadOnlyList<CompletedTransaction>?)transactions ?? []));
        }
#pragma warning disable CA1031 // an observer's bug must not kill the flusher thread silently: it stops the writer with that error
        catch (Exception ex)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                _flushFailure = new InvalidOperationException("a durable-position observer failed: " + ex.Message, ex);
            }
        }
    }

    /// <summary>Wakes everyone waiting for the cycle that just ended.</summary>
    private void CompleteCycleLocked()
    {
        var done = _cycleDone;
        _cycleDone = NewCycle();
        done.TrySetResult();
    }

    private void Sync(SafeFileHandle handle)
    {
        if (_options.SyncData is { } sync)
        {
            sync(handle);
        }
        else
        {
            NativeMethods.SyncData(handle);
        }
    }

    /// <summary>Rewrites state.json in the background (three fsyncs of its own: never on the flusher's or the receiver's path).</summary>
    private void StartStateWrite(bool force)
    {
        lock (_gate)
        {
            if (!_stateTask.IsCompleted || (!force && DateTimeOffset.UtcNow - _stateWritten < _options.StateInterval))
            {
                return;
            }

            _stateWritten = DateTimeOffset.UtcNow;
            _stateTask = Task.Run(async () =>
            {
                try
                {
                    await WriteStateAsync(CancellationToken.None);
                }
                catch (IOException)
                {
                    // Informational only (resume rescans the segments); the next write tries again.
                }
            });
        }
    }

    private async ValueTask WriteStateAsync(CancellationToken cancellationToken)
    {
        await _stateLock.WaitAsync(cancellationToken);
        try
        {
            (string File, long Position, DateTimeOffset? EventTime)? master;
            lock (_gate)
            {
                master = _master;
                _stateWritten = DateTimeOffset.UtcNow;
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
            throw new IOException("writing or fsyncing the archive failed; stop and restart (recovery rescans the segment)", failure);
        }
    }

    /// <summary>A transaction end inside the received bytes: what becomes durable once an fsync covers it.</summary>
    private sealed record Boundary(OpenSegment Segment, long Offset, CompletedTransaction? Last)
    {
        /// <summary>Call with the writer's gate held (reads the tracker's GTID state).</summary>
        public DurablePosition ToPosition() => new(
            Segment.Name,
            Offset,
            Segment.Tracker.Gtids?.ToString(),
            Last?.Id?.ToString(),
            Last is null ? null : DateTimeOffset.FromUnixTimeSeconds(Last.Timestamp),
            Segment.Tracker.IsMariaDb ?? false);
    }

    private sealed class OpenSegment(string name, SafeFileHandle handle, long length, TransactionTracker tracker)
    {
        public string Name { get; } = name;

        public SafeFileHandle Handle { get; } = handle;

        /// <summary>Bytes received for this segment (on disk or still in memory).</summary>
        public long Length { get; set; } = length;

        public TransactionTracker Tracker { get; } = tracker;

        public CompletedTransaction? LastTransaction { get; set; }
    }
}
