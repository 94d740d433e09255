using System.Net.Sockets;
using Polly;
using Polly.Retry;
using ReplicaKeeper.Protocol;
using ReplicaKeeper.Replication.Internal;

namespace ReplicaKeeper.Replication;

/// <summary>
/// The one place that decides when the replica reconnects: network failures, a dead link (no
/// event or heartbeat in time), the source closing the connection or restarting, and the source's
/// transient errors are retried with exponential backoff and jitter; everything else (wrong password,
/// missing grant, purged position, bad configuration, corrupt event) stops the stream at once.
/// The attempt count restarts whenever something was received, so a long-lived stream survives any
/// number of separate outages.
/// </summary>
public static class ReplicationRetryPolicy
{
    /// <summary>True for failures a reconnect can cure.</summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        ReplicationException => false,
        MySqlAuthenticationException => false,
        MySqlTlsException => false,
        MySqlServerException server => ReplicationErrors.IsTransient(server),
        DeadLinkException => true,
        IOException => true, // includes MySqlConnectionClosedException
        SocketException => true,
        TimeoutException => true,
        _ => false,
    };

    /// <summary>Builds the reconnect pipeline from <paramref name="options"/>; <paramref name="onReconnecting"/> hears of each retry.</summary>
    public static ResiliencePipeline Create(ReconnectOptions options, Serilog.ILogger logger, Action<ReplicationReconnecting>? onReconnecting = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        if (options.MaxAttempts == 0)
        {
            return ResiliencePipeline.Empty;
        }

        return new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.InitialDelay,
                MaxDelay = options.MaxDelay,
                MaxRetryAttempts = options.MaxAttempts,
                OnRetry = args =>
                {
                    logger.Warning(
                        "Replication link failed ({Reason}); reconnecting in {Delay} (attempt {Attempt})",
                        args.Outcome.Exception?.Message, args.RetryDelay, args.AttemptNumber + 1);
                    onReconnecting?.Invoke(new ReplicationReconnecting(args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception));
                    return default;
                },
            })
            .Build();
    }
}

/// <summary>Neither an event nor a heartbeat arrived in time: the link is considered dead.</summary>
public sealed class DeadLinkException : TimeoutException
{
    public DeadLinkException()
        : base("No event and no heartbeat from the source in time.")
    {
    }

    public DeadLinkException(string message)
        : base(message)
    {
    }

    public DeadLinkException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
