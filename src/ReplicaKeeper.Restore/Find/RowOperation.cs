namespace ReplicaKeeper.Restore.Find;

/// <summary>The kind of row change.</summary>
public enum RowOperation
{
    Insert,
    Update,
    Delete,
}
