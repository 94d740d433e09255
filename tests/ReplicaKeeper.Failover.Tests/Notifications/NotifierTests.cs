using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MailKit.Security;
using ReplicaKeeper.Failover.Notifications;
using Xunit;

namespace ReplicaKeeper.Failover.Tests.Notifications;

public sealed class NotifierTests
{
    [Fact]
    public async Task Smtp_notifier_delivers_an_alert_to_a_loopback_sink()
    {
        await using var sink = new SmtpSink();
        var notifier = new SmtpNotifier(new SmtpSettings
        {
            Host = "127.0.0.1",
            Port = sink.Port,
            Security = SecureSocketOptions.None,
            From = "replicakeeper@clinic.example",
            To = ["ops@clinic.example", "dr@clinic.example"],
        });
        var alert = new Alert(AlertKind.ApplierStopped, "the standby applier stopped at bin.000004:1200");

        await notifier.SendAsync(alert.ToNotification(DateTimeOffset.UtcNow), CancellationToken.None);

        var message = Assert.Single(sink.Messages);
        Assert.Contains("Subject: [ReplicaKeeper ALERT] ApplierStopped", message, StringComparison.Ordinal);
        Assert.Contains("bin.000004:1200", message, StringComparison.Ordinal);
        Assert.Equal(2, sink.Recipients.Count);
    }

    [Fact]
    public async Task Webhook_notifier_posts_json_and_fails_on_an_error_status()
    {
        var port = FreePort();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/hook/");
        listener.Start();
        using var http = new HttpClient();
        var notifier = new WebhookNotifier(http, new Uri($"http://127.0.0.1:{port}/hook/"));
        var report = new Notification(NotificationKind.DailyReport, "daily", "all good", DateTimeOffset.UtcNow);

        var send = notifier.SendAsync(report, CancellationToken.None);
        var context = await listener.GetContextAsync();
        using (var reader = new StreamReader(context.Request.InputStream))
        {
            var body = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement;
            Assert.Equal("POST", context.Request.HttpMethod);
            Assert.Equal("dailyReport", body.GetProperty("kind").GetString());
            Assert.Equal("daily", body.GetProperty("subject").GetString());
        }

        context.Response.StatusCode = 204;
        context.Response.Close();
        await send;

        var failing = notifier.SendAsync(report, CancellationToken.None);
        var second = await listener.GetContextAsync();
        second.Response.StatusCode = 500;
        second.Response.Close();
        await Assert.ThrowsAsync<HttpRequestException>(() => failing);
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
