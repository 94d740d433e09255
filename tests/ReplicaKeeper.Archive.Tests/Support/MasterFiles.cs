using System.Buffers.Binary;
using System.Text;
using ReplicaKeeper.Binlog;
using ReplicaKeeper.Binlog.Framing;
using ReplicaKeeper.Binlog.Reading;

namespace ReplicaKeeper.Archive.Tests.Support;

/// <summary>
/// Real binlog files written by MariaDB 10.11 and MySQL 9.7 (Fixtures/), and a stand-in for the
/// dump stream built from them: the master's events read with the frame scanner, preceded by the
/// artificial events a real dump sends (fake ROTATE; fake FORMAT_DESCRIPTION when starting past 4).
/// </summary>
internal static class MasterFiles
{
    public static string Directory(string flavor) => Path.Combine(AppContext.BaseDirectory, "Fixtures", flavor);

    public static string[] Names(string flavor) => System.IO.Directory.GetFiles(Directory(flavor), "bin.0*")
        .Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();

    public static byte[] Bytes(string flavor, string name) => File.ReadAllBytes(Path.Combine(Directory(flavor), name));

    /// <summary>Every event of a master file from <paramref name="from"/> on, as separate arrays.</summary>
    public static List<byte[]> Events(string flavor, string name, long from = 4)
    {
        var events = new List<byte[]>();
        using var scanner = BinlogFrameScanner.Open(Path.Combine(Directory(flavor), name));
        while (scanner.MoveNext())
        {
            if (scanner.Current.Position >= from)
            {
                events.Add(scanner.Current.Bytes.ToArray());
            }
        }

        return events;
    }

    public static bool HasChecksums(string flavor, string name) => Events(flavor, name)[0][^5] == 1;

    /// <summary>The events a dump of <paramref name="name"/> from <paramref name="from"/> sends, artificial ones included.</summary>
    public static List<byte[]> DumpStream(string flavor, string name, long from = 4)
    {
        var crc = HasChecksums(flavor, name);
        var stream = new List<byte[]> { FakeRotate(name, (ulong)from, crc) };
        if (from > 4)
        {
            stream.Add(FakeFormatDescription(Events(flavor, name)[0], crc));
        }

        stream.AddRange(Events(flavor, name, from));
        return stream;
    }

    /// <summary>A stream over several whole files, as a dump from the first one would deliver after rotations.</summary>
    public static List<byte[]> DumpStream(string flavor, IEnumerable<string> names)
    {
        var all = new List<byte[]>();
        var first = true;
        foreach (var name in names)
        {
            if (first)
            {
                all.AddRange(DumpStream(flavor, name));
                first = false;
            }
            else
            {
                // after a real ROTATE the master sends a fake ROTATE for the new file, then its events
                all.Add(FakeRotate(name, 4, HasChecksums(flavor, name)));
                all.AddRange(Events(flavor, name));
            }
        }

        return all;
    }

    public static byte[] FakeRotate(string file, ulong position, bool checksum)
    {
        var name = Encoding.ASCII.GetBytes(file);
        var size = EventHeader.Size + 8 + name.Length + (checksum ? 4 : 0);
        var ev = new byte[size];
        WriteHeader(ev, timestamp: 0, BinlogEventType.Rotate, size, logPos: 0, flags: EventHeader.ArtificialFlag);
        BinaryPrimitives.WriteUInt64LittleEndian(ev.AsSpan(EventHeader.Size), position);
        name.CopyTo(ev.AsSpan(EventHeader.Size + 8));
        if (checksum)
        {
            SetChecksum(ev);
        }

        return ev;
    }

    public static byte[] FakeFormatDescription(byte[] fde, bool checksum)
    {
        var copy = (byte[])fde.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(13), 0);
        if (checksum)
        {
            SetChecksum(copy);
        }

        return copy;
    }

    public static byte[] Heartbeat(string file, uint logPos, bool checksum)
    {
        var name = Encoding.ASCII.GetBytes(file);
        var size = EventHeader.Size + name.Length + (checksum ? 4 : 0);
        var ev = new byte[size];
        WriteHeader(ev, timestamp: 0, BinlogEventType.Heartbeat, size, logPos, flags: EventHeader.ArtificialFlag);
        name.CopyTo(ev.AsSpan(EventHeader.Size));
        if (checksum)
        {
            SetChecksum(ev);
        }

        return ev;
    }

    public static void SetChecksum(byte[] ev) =>
        BinaryPrimitives.WriteUInt32LittleEndian(ev.AsSpan(ev.Length - 4), BinlogChecksum.Compute(ev.AsSpan(0, ev.Length - 4)));

    private static void WriteHeader(Span<byte> ev, uint timestamp, BinlogEventType type, int size, uint logPos, ushort flags)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(ev, timestamp);
        ev[4] = (byte)type;
        BinaryPrimitives.WriteUInt32LittleEndian(ev[5..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(ev[9..], (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(ev[13..], logPos);
        BinaryPrimitives.WriteUInt16LittleEndian(ev[17..], flags);
    }
}
