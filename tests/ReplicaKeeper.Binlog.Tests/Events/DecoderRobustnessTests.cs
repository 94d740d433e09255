using ReplicaKeeper.Binlog.Tests.Framing;
using Xunit;

namespace ReplicaKeeper.Binlog.Tests.Events;

/// <summary>Damaged input: every outcome is a decoded event or a <see cref="BinlogFormatException"/>, never another exception.</summary>
public class DecoderRobustnessTests
{
    private static void DecodesOrFormatError(Action decode)
    {
        try
        {
            decode();
        }
        catch (BinlogFormatException)
        {
        }
    }

    [Theory]
    [MemberData(nameof(TestBinlogs.All), MemberType = typeof(TestBinlogs))]
    public void Every_event_truncated_at_every_length_decodes_or_throws_BinlogFormatException(string flavor, string file)
    {
        var events = RawEvents.Of(flavor, file);
        for (var i = 0; i < events.Count; i++)
        {
            var raw = events[i];
            var body = raw.Bytes.AsSpan(0, raw.Bytes.Length - raw.ChecksumLength).ToArray();
            for (var length = 19; length < body.Length; length++)
            {
                // Consistent size and checksum: the event decoders themselves face the short body.
                var shortened = RawEvents.Rebuild(body.AsSpan(0, length), raw.ChecksumLength > 0);
                DecodesOrFormatError(() => RawEvents.DecodeFully(RawEvents.DecoderBefore(events, i), shortened, file, raw.Position));

                // Just cut: event_size no longer matches.
                var cut = raw.Bytes.AsSpan(0, length).ToArray();
                var e = Assert.Throws<BinlogFormatException>(() => RawEvents.DecoderBefore(events, i).Decode(cut, file, raw.Position));
                Assert.Equal(raw.Position, e.EventPosition);
            }
        }
    }

    [Theory]
    [MemberData(nameof(TestBinlogs.All), MemberType = typeof(TestBinlogs))]
    public void Random_byte_mutations_decode_or_throw_BinlogFormatException(string flavor, string file)
    {
        var random = new Random(20261125 + file.GetHashCode(StringComparison.Ordinal) % 1000);
        var events = RawEvents.Of(flavor, file);
        for (var i = 0; i < events.Count; i++)
        {
            var raw = events[i];
            var body = raw.Bytes.AsSpan(0, raw.Bytes.Length - raw.ChecksumLength).ToArray();
            for (var round = 0; round < 40; round++)
            {
                var mutated = (byte[])body.Clone();
                var flips = 1 + random.Next(3);
                for (var f = 0; f < flips; f++)
                {
                    // Keep type and size: mutate everything else, the header's other fields included.
                    int at;
                    do
                    {
                        at = random.Next(mutated.Length);
                    }
                    while (at is 4 or >= 9 and < 13);
                    mutated[at] = (byte)random.Next(256);
                }

                var rebuilt = RawEvents.Rebuild(mutated, raw.ChecksumLength > 0);
                DecodesOrFormatError(() => RawEvents.DecodeFully(RawEvents.DecoderBefore(events, i), rebuilt, file, raw.Position));

                // The same mutation with the original checksum must be caught by CRC32 (when there is one;
                // not for the FDE, whose mutation may switch checksums off or touch the in-use flag).
                if (i > 0 && raw.ChecksumLength > 0 && !mutated.AsSpan().SequenceEqual(body))
                {
                    var stale = (byte[])rebuilt.Clone();
                    raw.Bytes.AsSpan(raw.Bytes.Length - 4).CopyTo(stale.AsSpan(stale.Length - 4));
                    var e = Assert.Throws<BinlogFormatException>(() => RawEvents.DecoderBefore(events, i).Decode(stale, file, raw.Position));
                    Assert.Equal(file, e.File);
                    Assert.Equal(raw.Position, e.EventPosition);
                }
            }
        }
    }
}
