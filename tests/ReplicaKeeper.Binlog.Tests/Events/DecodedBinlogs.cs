using ReplicaKeeper.Binlog.Events;
using ReplicaKeeper.Binlog.Tests.Framing;

namespace ReplicaKeeper.Binlog.Tests.Events;

/// <summary>Decodes the captured binlogs; flattens transaction payloads into their nested events.</summary>
internal static class DecodedBinlogs
{
    public static List<PositionedEvent> Read(string flavor, string file)
    {
        using var reader = BinlogFileReader.Open(TestBinlogs.PathOf(flavor, file));
        return [.. reader.ReadEvents()];
    }

    /// <summary>All events of all files of a flavor, nested payload events in place after their payload.</summary>
    public static List<BinlogEvent> AllFlattened(string flavor)
    {
        var all = new List<BinlogEvent>();
        foreach (var file in Files(flavor))
        {
            foreach (var e in Read(flavor, file))
            {
                all.Add(e.Event);
                if (e.Event is TransactionPayloadEvent payload)
                {
                    all.AddRange(payload.Events);
                }
            }
        }

        return all;
    }

    public static IEnumerable<string> Files(string flavor) =>
        TestBinlogs.All().Where(a => (string)a[0] == flavor).Select(a => (string)a[1]);

    /// <summary>The concatenated tool output of all files of a flavor.</summary>
    public static string ToolOutput(string flavor) => string.Concat(Files(flavor).Select(f => TestBinlogs.ToolOutput(flavor, f)));
}
