namespace ReplicaKeeper.Archive.Retention;

/// <summary>Keep segments younger than <see cref="MaxAge"/> and at most <see cref="MaxStoredBytes"/> in total (null = no limit).</summary>
public sealed record RetentionPolicy(TimeSpan? MaxAge = null, long? MaxStoredBytes = null)
{
    public static RetentionPolicy Days(double days) => new(TimeSpan.FromDays(days));

    public static RetentionPolicy Gigabytes(double gigabytes) => new(MaxStoredBytes: (long)(gigabytes * 1024 * 1024 * 1024));
}
