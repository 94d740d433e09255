using System.IO.Hashing;

namespace ReplicaKeeper.Replication.Internal;

/// <summary>
/// Remembers what was yielded of the in-flight transaction (a fingerprint per event: position,
/// length and a 64-bit hash of the bytes; not CRC32, whose
/// value over an event that ends with its own CRC32 is the same constant for every event) so that after a reconnect the re-sent prefix can be recognised
/// and skipped, and a transaction that comes back different is detected.
/// </summary>
internal sealed class ReplayFilter
{
    private readonly List<Fingerprint> _yielded = [];
    private List<Fingerprint>? _replay;
    private int _replayIndex;

    /// <summary>True while re-sent events are still expected after a reconnect.</summary>
    public bool Replaying => _replay is not null;

    /// <summary>A transaction event was yielded to the consumer.</summary>
    public void Yielded(ReadOnlySpan<byte> rawEvent, ulong? nextOffset) => _yielded.Add(Fingerprint.Of(rawEvent, nextOffset));

    /// <summary>The transaction completed (or was aborted): nothing is in flight.</summary>
    public void Clear() => _yielded.Clear();

    /// <summary>The first event of the in-flight transaction has been yielded.</summary>
    public bool HasInFlight => _yielded.Count > 0;

    /// <summary>A new session starts from the last boundary: the yielded prefix will come again.</summary>
    public void StartReplay()
    {
        _replay = _yielded.Count > 0 ? [.. _yielded] : null;
        _replayIndex = 0;
    }

    /// <summary>Replay is abandoned (the transaction was aborted): yield everything from now on.</summary>
    public void CancelReplay()
    {
        _replay = null;
        _replayIndex = 0;
    }

    /// <summary>
    /// For a transaction event received while replaying: <see cref="ReplayMatch.Skip"/> if it is the
    /// next already-yielded event, <see cref="ReplayMatch.Mismatch"/> if it differs. Outside replay, <see cref="ReplayMatch.New"/>.
    /// </summary>
    public ReplayMatch Check(ReadOnlySpan<byte> rawEvent, ulong? nextOffset)
    {
        if (_replay is null)
        {
            return ReplayMatch.New;
        }

        if (_replay[_replayIndex] != Fingerprint.Of(rawEvent, nextOffset))
        {
            return ReplayMatch.Mismatch;
        }

        _replayIndex++;
        if (_replayIndex == _replay.Count)
        {
            _replay = null;
        }

        return ReplayMatch.Skip;
    }

    private readonly record struct Fingerprint(ulong NextOffset, int Length, ulong Hash)
    {
        public static Fingerprint Of(ReadOnlySpan<byte> raw, ulong? nextOffset) =>
            new(nextOffset ?? 0, raw.Length, XxHash3.HashToUInt64(raw));
    }
}

internal enum ReplayMatch
{
    New,
    Skip,
    Mismatch,
}
