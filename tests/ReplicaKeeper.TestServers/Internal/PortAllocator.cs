using System.Net;
using System.Net.Sockets;

namespace ReplicaKeeper.TestServers.Internal;

/// <summary>
/// Picks free TCP ports on 127.0.0.1. Ports are random in 20000-32000 (below Linux's ephemeral range, so an
/// outgoing connection cannot take one between probe and server start), probed by binding, and never handed out
/// twice by this process while reserved. Another process can still race for the same port: the caller retries
/// with a new port when the server reports "address already in use".
/// </summary>
internal static class PortAllocator
{
    private const int First = 20000;
    private const int Last = 32000;
    private static readonly HashSet<int> Reserved = [];

    public static int Reserve()
    {
        lock (Reserved)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(First, Last);
                if (!Reserved.Contains(port) && IsFree(port))
                {
                    Reserved.Add(port);
                    return port;
                }
            }
        }

        throw new InvalidOperationException($"No free TCP port found on 127.0.0.1 in {First}-{Last}.");
    }

    public static void Release(int port)
    {
        lock (Reserved)
        {
            Reserved.Remove(port);
        }
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
