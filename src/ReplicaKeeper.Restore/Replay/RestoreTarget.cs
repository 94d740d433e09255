using System.Globalization;
using ReplicaKeeper.Binlog.Positions;

namespace ReplicaKeeper.Restore.Replay;

/// <summary>How far a restore goes.</summary>
public enum RestoreTargetKind
{
    /// <summary>Every transaction committed at or before <see cref="RestoreTarget.Time"/> (microseconds on MySQL, seconds on MariaDB).</summary>
    ToTime,

    /// <summary>Up to and including the transaction <see cref="RestoreTarget.Gtid"/>.</summary>
    ToGtid,

    /// <summary>Everything before the transaction <see cref="RestoreTarget.Gtid"/>.</summary>
    BeforeGtid,

    /// <summary>Every transaction that starts before <see cref="RestoreTarget.Position"/>.</summary>
    ToPosition,

    /// <summary>Everything the archive holds (committed transactions).</summary>
    Latest,
}

/// <summary>The point a restore stops at.</summary>
public sealed record RestoreTarget(RestoreTargetKind Kind, DateTimeOffset? Time = null, string? Gtid = null, BinlogPosition? Position = null)
{
    public static RestoreTarget Latest { get; } = new(RestoreTargetKind.Latest);

    public static RestoreTarget ToTime(DateTimeOffset time) => new(RestoreTargetKind.ToTime, Time: time);

    public static RestoreTarget ToGtid(string gtid) => new(RestoreTargetKind.ToGtid, Gtid: gtid);

    public static RestoreTarget BeforeGtid(string gtid) => new(RestoreTargetKind.BeforeGtid, Gtid: gtid);

    public static RestoreTarget ToPosition(BinlogPosition position) => new(RestoreTargetKind.ToPosition, Position: position);

    /// <summary>"2026-11-25 14:03:27.123456" (UTC unless an offset is given) or an ISO 8601 text.</summary>
    public static DateTimeOffset ParseTime(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return DateTimeOffset.Parse(text.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
    }

    /// <summary>"bin.000003:1234".</summary>
    public static BinlogPosition ParsePosition(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !ulong.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            throw new FormatException($"'{text}' is not FILE:POSITION (e.g. bin.000003:1234)");
        }

        return new BinlogPosition(text[..colon], offset);
    }

    public override string ToString() => Kind switch
    {
        RestoreTargetKind.ToTime => $"--to-time {Time:yyyy-MM-dd HH:mm:ss.ffffff}",
        RestoreTargetKind.ToGtid => $"--to-gtid {Gtid}",
        RestoreTargetKind.BeforeGtid => $"--before-gtid {Gtid}",
        RestoreTargetKind.ToPosition => $"--to-position {Position}",
        _ => "--latest",
    };
}
