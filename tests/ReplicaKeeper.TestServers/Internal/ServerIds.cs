using System.Security.Cryptography;

namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// Random server ids (never 0 or 1, never repeated inside this process), so instances started in parallel,
/// even by different test processes, do not share an id.
/// </summary>
internal static class ServerIds
{
    private static readonly HashSet<uint> Issued = [];

    public static uint Next()
    {
        lock (Issued)
        {
            while (true)
            {
                var id = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)) % 4_000_000_000u;
                if (id > 1000 && Issued.Add(id))
                {
                    return id;
                }
            }
        }
    }
}
