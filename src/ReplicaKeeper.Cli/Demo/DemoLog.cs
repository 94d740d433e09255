using System.Globalization;
using Serilog.Core;
using Serilog.Events;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>
/// Keeps the last log lines of the archiver and the applier in memory, so a failed demo can show what they said
/// without their routine messages cluttering a successful one.
/// </summary>
internal sealed class DemoLog : ILogEventSink
{
    private const int Capacity = 200;
    private readonly Queue<string> _lines = new();

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var component = logEvent.Properties.TryGetValue("Component", out var value) ? value.ToString().Trim('"') : "-";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"{logEvent.Timestamp:HH:mm:ss.fff} {logEvent.Level.ToString()[..3].ToUpperInvariant()} [{component}] {logEvent.RenderMessage(CultureInfo.InvariantCulture)}");
        if (logEvent.Exception is { } exception)
        {
            line += " — " + exception.GetBaseException().Message;
        }

        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > Capacity)
            {
                _lines.Dequeue();
            }
        }
    }

    /// <summary>The last <paramref name="count"/> lines (oldest first).</summary>
    public IReadOnlyList<string> Last(int count)
    {
        lock (_lines)
        {
            return _lines.Skip(Math.Max(0, _lines.Count - count)).ToList();
        }
    }
}
