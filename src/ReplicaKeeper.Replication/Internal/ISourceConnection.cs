namespace ReplicaKeeper.Replication.Internal;

/// <summary>
/// The slice of a protocol connection the replica needs. Production code wraps
/// <see cref="Protocol.ProtocolConnection"/> (<see cref="ProtocolSourceConnection"/>); tests can script one.
/// </summary>
internal interface ISourceConnection : IAsyncDisposable
{
    bool IsMariaDb { get; }

    string ServerVersion { get; }

    /// <summary>Runs a text query and returns its rows (each column as text or null).</summary>
    ValueTask<IReadOnlyList<string?[]>> QueryAsync(string sql, CancellationToken ct);

    /// <summary>Runs a statement that answers OK; throws <see cref="Protocol.MySqlServerException"/> on ERR.</summary>
    ValueTask ExecuteAsync(string sql, CancellationToken ct);

    /// <summary>Sends a new command (sequence 0).</summary>
    ValueTask WriteCommandAsync(ReadOnlyMemory<byte> payload, CancellationToken ct);

    /// <summary>Reads one logical packet payload; valid until the next read.</summary>
    ValueTask<ReadOnlyMemory<byte>> ReadPacketAsync(CancellationToken ct);
}

/// <summary>Opens a connection to the source.</summary>
internal delegate ValueTask<ISourceConnection> SourceConnector(CancellationToken ct);
