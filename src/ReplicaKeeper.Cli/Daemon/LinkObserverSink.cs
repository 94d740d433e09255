using ReplicaKeeper.Cli.Metrics;
using Serilog.Core;
using Serilog.Events;

namespace ReplicaKeeper.Cli.Daemon;

/// <summary>
/// Watches the replication link through the log: the stream (ReplicaKeeper.Replication) reports each failed attempt
/// ("Replication link failed ...") and each successful reconnect ("Reconnected to the source ..."), and every
/// component logs with a <c>Component</c> property, so the link state and counters land on the right component.
/// </summary>
internal sealed class LinkObserverSink(DaemonMetrics metrics) : ILogEventSink
{
    public const string ComponentProperty = "Component";

    public void Emit(LogEvent logEvent)
    {
        if (!logEvent.Properties.TryGetValue(ComponentProperty, out var value) || value is not ScalarValue { Value: string component })
        {
            return;
        }

        var text = logEvent.MessageTemplate.Text;
        if (text.StartsWith("Replication link failed", StringComparison.Ordinal))
        {
            metrics.Component(component).LinkFailed(logEvent.Timestamp);
        }
        else if (text.StartsWith("Reconnected to the source", StringComparison.Ordinal))
        {
            metrics.Component(component).LinkRestored();
        }
    }
}
