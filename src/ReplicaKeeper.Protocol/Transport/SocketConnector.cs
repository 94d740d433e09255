using System.Net;
using System.Net.Sockets;

namespace ReplicaKeeper.Protocol.Transport;

/// <summary>Opens the socket: each comma-separated host in turn, each of its addresses in turn; or a Unix socket.</summary>
internal static class SocketConnector
{
    public static async ValueTask<(Socket Socket, string Host)> ConnectAsync(ConnectionOptions options, CancellationToken cancellationToken)
    {
        string[] hosts = options.Host.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Exception? lastError = null;
        foreach (string host in hosts)
        {
            if (host.StartsWith('/'))
            {
                var unix = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await unix.ConnectAsync(new UnixDomainSocketEndPoint(host), cancellationToken).ConfigureAwait(false);
                    return (unix, host);
                }
                catch (SocketException ex)
                {
                    unix.Dispose();
                    lastError = ex;
                    continue;
                }
                catch
                {
                    unix.Dispose();
                    throw;
                }
            }

            IPAddress[] addresses;
            try
            {
                addresses = IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? literal)
                    ? [literal]
                    : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
            }
            catch (SocketException ex)
            {
                lastError = ex;
                continue;
            }

            foreach (IPAddress address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (options.Keepalive is { } keepalive)
                    {
                        socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                        socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Math.Max(1, (int)keepalive.TotalSeconds));
                    }

                    await socket.ConnectAsync(new IPEndPoint(address, options.Port), cancellationToken).ConfigureAwait(false);
                    return (socket, host);
                }
                catch (SocketException ex)
                {
                    socket.Dispose();
                    lastError = ex;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }
        }

        throw new IOException($"Cannot connect to {options.DescribeEndpoint()}: {lastError?.Message ?? "no host given"}", lastError);
    }
}
