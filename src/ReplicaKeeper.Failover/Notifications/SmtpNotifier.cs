using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace ReplicaKeeper.Failover.Notifications;

/// <summary>SMTP settings (config keys under <c>Notifications:Smtp</c>); the password comes from env or a file.</summary>
public sealed record SmtpSettings
{
    public required string Host { get; init; }

    public int Port { get; init; } = 587;

    /// <summary>None, StartTls (default for 587) or SslOnConnect (465).</summary>
    public SecureSocketOptions Security { get; init; } = SecureSocketOptions.StartTlsWhenAvailable;

    public required string From { get; init; }

    public required IReadOnlyList<string> To { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>Sends notifications as plain-text mail with MailKit.</summary>
public sealed class SmtpNotifier(SmtpSettings settings) : INotifier
{
    private readonly SmtpSettings _settings = settings ?? throw new ArgumentNullException(nameof(settings));

    public async Task SendAsync(Notification notification, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(notification);
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(_settings.From));
        foreach (var to in _settings.To)
        {
            message.To.Add(MailboxAddress.Parse(to));
        }

        message.Subject = notification.Subject;
        message.Date = notification.CreatedAt;
        message.Body = new TextPart("plain") { Text = notification.Body };

        using var client = new SmtpClient { Timeout = (int)_settings.Timeout.TotalMilliseconds };
        await client.ConnectAsync(_settings.Host, _settings.Port, _settings.Security, ct).ConfigureAwait(false);
        if (_settings.User is { } user)
        {
            await client.AuthenticateAsync(user, _settings.Password ?? "", ct).ConfigureAwait(false);
        }

        await client.SendAsync(message, ct).ConfigureAwait(false);
        await client.DisconnectAsync(true, ct).ConfigureAwait(false);
    }
}
