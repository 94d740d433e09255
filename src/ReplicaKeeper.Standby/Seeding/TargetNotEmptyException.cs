namespace ReplicaKeeper.Standby.Seeding;

/// <summary>The target already holds what a seed would create (or a position for the channel); <see cref="Found"/> names it.</summary>
public sealed class TargetNotEmptyException : StandbySeedException
{
    public TargetNotEmptyException()
    {
    }

    public TargetNotEmptyException(string message)
        : base(message)
    {
    }

    public TargetNotEmptyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TargetNotEmptyException(IReadOnlyList<string> found)
        : base($"The target is not empty: {string.Join("; ", found ?? [])}. Seed only an empty standby, or pass --force to drop these and seed again.")
    {
        Found = found ?? [];
    }

    /// <summary>What is there, one entry per object ("schema `shop` (3 tables)", "position of channel 'default' ...").</summary>
    public IReadOnlyList<string> Found { get; } = [];
}
