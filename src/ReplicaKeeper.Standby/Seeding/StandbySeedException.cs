namespace ReplicaKeeper.Standby.Seeding;

/// <summary>A seed could not be done (flavours differ, a table is missing, the snapshot cannot be used, a statement failed).</summary>
public class StandbySeedException : Exception
{
    public StandbySeedException()
    {
    }

    public StandbySeedException(string message)
        : base(message)
    {
    }

    public StandbySeedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
