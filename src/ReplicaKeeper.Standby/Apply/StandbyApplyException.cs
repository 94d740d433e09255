namespace ReplicaKeeper.Standby.Apply;

/// <summary>A source transaction could not be applied (a failing DDL, an unsupported value, a table missing on the standby).</summary>
public sealed class StandbyApplyException : Exception
{
    public StandbyApplyException()
    {
    }

    public StandbyApplyException(string message)
        : base(message)
    {
    }

    public StandbyApplyException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
