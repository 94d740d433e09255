using System.Globalization;
using System.Text;

namespace ReplicaKeeper.Cli.Metrics;

/// <summary>Renders <see cref="DaemonMetrics"/> in the Prometheus text exposition format (version 0.0.4).</summary>
public static class PrometheusText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Render(DaemonMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var w = new Writer();
        w.Gauge("replicakeeper_start_time_seconds", "When the daemon started (unix time).", Seconds(metrics.StartedAt));
        w.Gauge("replicakeeper_previous_run_crashed", "1 when the run before this one ended without a clean shutdown (kill -9, power loss).", metrics.PreviousRunCrashed ? 1 : 0);
        w.Counter("replicakeeper_unclean_restarts_total", "Runs that ended without a clean shutdown, over the daemon's lifetime.", metrics.UncleanRestarts);

        var components = metrics.Components;
        w.Family("replicakeeper_component_up", "gauge", "1 while the component runs, 0 while it is failed and waiting to restart.", components.Select(c => (Label("component", c.Name), (double)(c.Up ? 1 : 0))));
        w.Family("replicakeeper_component_errors_total", "counter", "Errors per component.", components.Select(c => (Label("component", c.Name), (double)c.Errors)));
        w.Family("replicakeeper_component_restarts_total", "counter", "Restarts of a component after a failure.", components.Select(c => (Label("component", c.Name), (double)c.Restarts)));
        var linked = components.Where(c => c.Name is DaemonMetrics.Archiver or DaemonMetrics.Standby).ToList();
        w.Family("replicakeeper_source_link_up", "gauge", "0 while the component's replication link to the source is failing.", linked.Select(c => (Label("component", c.Name), (double)(c.LinkDownSince is null ? 1 : 0))));
        w.Family("replicakeeper_source_reconnects_total", "counter", "Successful reconnects to the source after a link failure.", linked.Select(c => (Label("component", c.Name), (double)c.Reconnects)));
        w.Family("replicakeeper_source_link_failures_total", "counter", "Failed attempts on the replication link (each is retried).", linked.Select(c => (Label("component", c.Name), (double)c.LinkFailures)));

        if (metrics.ArchiveConfigured)
        {
            w.Gauge("replicakeeper_archive_lag_seconds", "Seconds between the master's newest event and the newest durable transaction.", metrics.ArchiveLagSeconds);
            w.Gauge("replicakeeper_archive_lag_bytes", "Bytes of the master's current binlog not yet durable in the archive.", metrics.ArchiveLagBytes);
            if (metrics.ArchiveState is { } state)
            {
                if (state.Durable is { } durable)
                {
                    w.Family("replicakeeper_archive_durable_offset_bytes", "gauge", "Durable end of the archive (fsynced transaction boundary).", [(Label("file", durable.File), durable.Offset)]);
                    w.Family("replicakeeper_archive_durable_info", "gauge", "The durable position's GTIDs.", [(Label("file", durable.File) + "," + Label("gtids", durable.Gtids ?? ""), 1)]);
                }

                if (state.MasterFile is { } masterFile && state.MasterPosition is { } masterPosition)
                {
                    w.Family("replicakeeper_archive_master_offset_bytes", "gauge", "The master's position as last seen by the archiver.", [(Label("file", masterFile), masterPosition)]);
                }

                w.Gauge("replicakeeper_archive_state_updated_timestamp_seconds", "When the archiver last recorded its durable position.", Seconds(state.UpdatedAt));
            }

            w.Gauge("replicakeeper_archive_gaps", "Gaps or other problems found by the last verification.", metrics.ArchiveGaps.Count);
            w.Gauge("replicakeeper_archive_last_verify_timestamp_seconds", "When the archive was last verified.", metrics.LastVerifyAt is { } v ? Seconds(v) : null);
            w.Gauge("replicakeeper_archive_verify_passed", "1 when the last verification passed.", metrics.LastVerifyPassed is { } p ? (p ? 1 : 0) : null);
            w.Counter("replicakeeper_retention_segments_retired_total", "Sealed segments deleted by retention since start.", metrics.SegmentsRetired);
        }

        if (metrics.StandbyConfigured)
        {
            w.Gauge("replicakeeper_standby_applied_offset_bytes", "Applied position on the standby (source binlog offset, when recorded).", metrics.AppliedOffset);
            if (metrics.AppliedPosition is { } applied)
            {
                w.Family("replicakeeper_standby_applied_info", "gauge", "The standby's applied position.", [(Label("position", applied), 1)]);
            }

            w.Counter("replicakeeper_standby_transactions_applied_total", "Source transactions applied to the standby since start.", metrics.TransactionsApplied);
            w.Gauge("replicakeeper_standby_apply_rate", "Source transactions applied per second (recent).", metrics.ApplyRate);
            w.Gauge("replicakeeper_standby_lag_seconds", "Seconds the standby applier is behind the source (0 while it has applied everything the source sent).", metrics.ApplierLagSeconds);
            w.Gauge("replicakeeper_standby_applied_source_timestamp_seconds", "When the last transaction applied to the standby was committed on the source.", metrics.AppliedSourceTime is { } t ? Seconds(t) : null);
            w.Gauge("replicakeeper_standby_last_applied_timestamp_seconds", "When the standby last recorded an applied transaction.", metrics.LastAppliedAt is { } a ? Seconds(a) : null);
        }

        w.Counter("replicakeeper_offsite_segments_uploaded_total", "Objects uploaded to the off-site store since start.", metrics.SegmentsUploaded);
        w.Gauge("replicakeeper_snapshot_last_timestamp_seconds", "When the newest snapshot was taken.", metrics.LastSnapshot is { } s ? Seconds(s.TakenAt) : null);
        w.Gauge("replicakeeper_drill_last_timestamp_seconds", "When the last restore drill finished.", metrics.LastDrill is { } d ? Seconds(d.FinishedAt) : null);
        w.Gauge("replicakeeper_drill_last_success", "1 when the last restore drill passed.", metrics.LastDrill is { } d2 ? (d2.Succeeded ? 1 : 0) : null);
        w.Counter("replicakeeper_notifications_sent_total", "Alerts, resolutions and daily reports delivered.", metrics.NotificationsSent);
        w.Counter("replicakeeper_notification_failures_total", "Notification deliveries that failed.", metrics.NotificationFailures);
        w.Gauge("replicakeeper_alerts_active", "Alert incidents open now.", metrics.ActiveAlerts.Count);
        return w.ToString();
    }

    private static double Seconds(DateTimeOffset time) => time.ToUnixTimeMilliseconds() / 1000.0;

    private static string Label(string name, string value) =>
        $"{name}=\"{value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"";

    private sealed class Writer
    {
        private readonly StringBuilder _text = new();

        public void Gauge(string name, string help, double? value)
        {
            if (value is { } v)
            {
                Family(name, "gauge", help, [("", v)]);
            }
        }

        public void Counter(string name, string help, double value) => Family(name, "counter", help, [("", value)]);

        public void Family(string name, string type, string help, IEnumerable<(string Labels, double Value)> samples)
        {
            var list = samples.ToList();
            if (list.Count == 0)
            {
                return;
            }

            _text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            _text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
            foreach (var (labels, value) in list)
            {
                _text.Append(name);
                if (labels.Length > 0)
                {
                    _text.Append('{').Append(labels).Append('}');
                }

                _text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        public override string ToString() => _text.ToString();
    }
}
