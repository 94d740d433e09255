using ReplicaKeeper.Protocol;

namespace ReplicaKeeper.Replication.Internal;

/// <summary><see cref="ISourceConnection"/> over a real <see cref="ProtocolConnection"/>.</summary>
internal sealed class ProtocolSourceConnection(ProtocolConnection connection) : ISourceConnection
{
    public bool IsMariaDb => connection.Server.IsMariaDb;

    public string ServerVersion => connection.Server.VersionString;

    public static SourceConnector Connector(ConnectionOptions options) =>
        async ct => new ProtocolSourceConnection(await ProtocolConnection.OpenAsync(options, ct).ConfigureAwait(false));

    public async ValueTask<IReadOnlyList<string?[]>> QueryAsync(string sql, CancellationToken ct) =>
        (await connection.QueryAsync(sql, ct).ConfigureAwait(false)).Rows;

    public ValueTask ExecuteAsync(string sql, CancellationToken ct) => connection.ExecuteAsync(sql, ct);

    public ValueTask WriteCommandAsync(ReadOnlyMemory<byte> payload, CancellationToken ct) => connection.WriteCommandAsync(payload, ct);

    public ValueTask<ReadOnlyMemory<byte>> ReadPacketAsync(CancellationToken ct) => connection.ReadPacketAsync(ct);

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}
