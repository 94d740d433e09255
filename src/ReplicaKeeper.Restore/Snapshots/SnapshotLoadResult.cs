using System.Globalization;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Restore.Snapshots;

/// <summary>
/// What <see cref="SnapshotLoader"/> loaded: tables, rows, the stored procedures and functions created, and the events,
/// which are created DISABLED (a restored instance must not start writing on a schedule): enable the ones this instance
/// should run with <see cref="SnapshotDisabledEvent.EnableStatement"/>.
/// </summary>
public sealed record SnapshotLoadResult(int Tables, long Rows, IReadOnlyList<string> Routines, IReadOnlyList<SnapshotDisabledEvent> DisabledEvents)
{
    public string Describe()
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Tables} tables, {Rows} rows, {Routines.Count} stored routines");
        return DisabledEvents.Count == 0
            ? text
            : text + $"; events created DISABLED (enable the ones this instance should run): {string.Join(", ", DisabledEvents.Select(e => e.ToString()))}";
    }
}

/// <summary>An event created DISABLED on the target, with the status it had on the standby.</summary>
public sealed record SnapshotDisabledEvent(string Schema, string Name, string? StatusOnStandby)
{
    public string EnableStatement => "ALTER EVENT " + SqlText.Quote(Schema, Name) + " ENABLE";

    public override string ToString() => Schema + "." + Name + (StatusOnStandby is null ? "" : " (" + StatusOnStandby + " on the standby)");
}
