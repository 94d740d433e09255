using System.Data.Common;
using System.Globalization;
using System.Net;
using MySqlConnector;

namespace ReplicaKeeper.Protocol;

/// <summary>
/// Where and how to connect. Build it directly or with <see cref="Parse"/> from a MySqlConnector
/// connection string.
/// </summary>
/// <remarks>
/// <para><b>TLS default.</b> When <see cref="TlsMode"/> is null (the connection string has no SslMode),
/// the effective mode (<see cref="EffectiveTlsMode"/>) is <see cref="Protocol.TlsMode.Preferred"/> for
/// loopback hosts (localhost, 127.0.0.0/8, ::1, and Unix sockets) and
/// <see cref="Protocol.TlsMode.VerifyFull"/> for every other host, so a password never crosses a real
/// network unencrypted or to an unverified server unless the user asks for it explicitly.</para>
/// <para><b>Password.</b> <see cref="Password"/> can come from the connection string, or from an
/// environment variable named by the extra connection string key <c>PasswordEnvironmentVariable</c>
/// (e.g. <c>Server=db1;User ID=repl;PasswordEnvironmentVariable=RK_SOURCE_PASSWORD</c>), or from
/// <see cref="WithPasswordFromEnvironment"/>, which by convention reads
/// <see cref="DefaultPasswordEnvironmentVariable"/>. The password never appears in
/// <see cref="ToString"/>, logs or exception messages.</para>
/// <para><b>Not supported</b> (rejected by <see cref="Parse"/>): client certificates (SslCert, SslKey,
/// CertificateFile), named pipes and shared memory, compression.</para>
/// </remarks>
public sealed record ConnectionOptions
{
    /// <summary>Conventional variable for the source server's password (see <see cref="WithPasswordFromEnvironment"/>).</summary>
    public const string DefaultPasswordEnvironmentVariable = "RK_SOURCE_PASSWORD";

    /// <summary>Extra connection string key naming an environment variable that holds the password.</summary>
    public const string PasswordEnvironmentVariableKey = "PasswordEnvironmentVariable";

    public const int DefaultPort = 3306;

    /// <summary>Host name, IP address, or an absolute Unix socket path (starting with '/'). Several hosts may be comma-separated; they are tried in order.</summary>
    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = DefaultPort;

    public string UserName { get; init; } = string.Empty;

    /// <summary>The password; null or empty for none. Never printed.</summary>
    public string? Password { get; init; }

    /// <summary>Initial default database, if any.</summary>
    public string? Database { get; init; }

    /// <summary>Requested TLS mode; null means the host-dependent default described on <see cref="ConnectionOptions"/>.</summary>
    public TlsMode? TlsMode { get; init; }

    /// <summary>PEM file with the CA certificate(s) that <see cref="Protocol.TlsMode.VerifyCA"/>/<see cref="Protocol.TlsMode.VerifyFull"/> trust instead of the system store (SslCa).</summary>
    public string? TlsCaFile { get; init; }

    /// <summary>PEM file with the server's RSA public key for caching_sha2_password full authentication without TLS (ServerRSAPublicKeyFile).</summary>
    public string? ServerRsaPublicKeyFile { get; init; }

    /// <summary>Allow asking the server for its RSA public key (caching_sha2_password without TLS). Off by default: a man in the middle could substitute the key.</summary>
    public bool AllowPublicKeyRetrieval { get; init; }

    /// <summary>Time allowed for TCP connect, TLS, handshake and authentication together; <see cref="Timeout.InfiniteTimeSpan"/> for none.</summary>
    public TimeSpan ConnectionTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>TCP keepalive idle time; null leaves the OS default.</summary>
    public TimeSpan? Keepalive { get; init; }

    /// <summary>Value of the connection attribute program_name (visible in performance_schema.session_connect_attrs).</summary>
    public string? ApplicationName { get; init; }

    /// <summary>The TLS mode in effect: <see cref="TlsMode"/> if set, else the host-dependent default.</summary>
    public TlsMode EffectiveTlsMode => TlsMode ?? (IsLoopbackHost(Host) ? Protocol.TlsMode.Preferred : Protocol.TlsMode.VerifyFull);

    /// <summary>True for localhost, 127.0.0.0/8, ::1 and Unix socket paths.</summary>
    public static bool IsLoopbackHost(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        foreach (string part in host.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            bool loopback = part.StartsWith('/')
                || part.Equals("localhost", StringComparison.OrdinalIgnoreCase)
                || (IPAddress.TryParse(part.Trim('[', ']'), out IPAddress? address) && IPAddress.IsLoopback(address));
            if (!loopback)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Parses a MySqlConnector connection string (Server, Port, User ID, Password, Database, SslMode,
    /// SslCa, ServerRSAPublicKeyFile, AllowPublicKeyRetrieval, ConnectionTimeout, Keepalive,
    /// ApplicationName; other MySqlConnector keys such as Pooling are accepted and ignored) plus the
    /// extra key <c>PasswordEnvironmentVariable</c>.
    /// </summary>
    /// <param name="connectionString">The connection string.</param>
    /// <param name="getEnvironmentVariable">Environment lookup (default <see cref="Environment.GetEnvironmentVariable(string)"/>).</param>
    /// <exception cref="FormatException">Invalid or unsupported option; the message names the key, never the password.</exception>
    public static ConnectionOptions Parse(string connectionString, Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        getEnvironmentVariable ??= Environment.GetEnvironmentVariable;

        string? passwordVariable = null;
        MySqlConnectionStringBuilder builder;
        try
        {
            var generic = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (string key in generic.Keys.Cast<string>().ToList())
            {
                if (key.Replace(" ", string.Empty, StringComparison.Ordinal).Equals(PasswordEnvironmentVariableKey, StringComparison.OrdinalIgnoreCase))
                {
                    passwordVariable = Convert.ToString(generic[key], CultureInfo.InvariantCulture);
                    generic.Remove(key);
                }
            }

            builder = new MySqlConnectionStringBuilder(generic.ConnectionString);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException($"Invalid connection string: {ex.Message}", ex);
        }

        RejectUnsupported(builder);

        string? password = builder.ContainsKey("Password") ? builder.Password : null;
        if (!string.IsNullOrEmpty(passwordVariable))
        {
            password = getEnvironmentVariable(passwordVariable)
                ?? throw new FormatException($"The environment variable '{passwordVariable}' named by {PasswordEnvironmentVariableKey} is not set.");
        }

        string host = string.IsNullOrWhiteSpace(builder.Server) ? "localhost" : builder.Server;
        if (builder.ConnectionProtocol == MySqlConnectionProtocol.UnixSocket && !host.StartsWith('/'))
        {
            throw new FormatException("ConnectionProtocol=Unix needs Server to be an absolute socket path.");
        }

        return new ConnectionOptions
        {
            Host = host,
            Port = builder.ContainsKey("Port") ? checked((int)builder.Port) : DefaultPort,
            UserName = builder.UserID ?? string.Empty,
            Password = password,
            Database = string.IsNullOrEmpty(builder.Database) ? null : builder.Database,
            TlsMode = builder.ContainsKey("SslMode") ? MapSslMode(builder.SslMode) : null,
            TlsCaFile = NullIfEmpty(builder.SslCa),
            ServerRsaPublicKeyFile = NullIfEmpty(builder.ServerRsaPublicKeyFile),
            AllowPublicKeyRetrieval = builder.AllowPublicKeyRetrieval,
            ConnectionTimeout = builder.ConnectionTimeout == 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(builder.ConnectionTimeout),
            Keepalive = builder.Keepalive == 0 ? null : TimeSpan.FromSeconds(builder.Keepalive),
            ApplicationName = NullIfEmpty(builder.ApplicationName),
        };
    }

    /// <summary>
    /// A copy whose <see cref="Password"/> comes from <paramref name="variableName"/> when this one has
    /// no password and the variable is set; otherwise this instance.
    /// </summary>
    public ConnectionOptions WithPasswordFromEnvironment(string variableName = DefaultPasswordEnvironmentVariable, Func<string, string?>? getEnvironmentVariable = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(variableName);
        if (!string.IsNullOrEmpty(Password))
        {
            return this;
        }

        string? value = (getEnvironmentVariable ?? Environment.GetEnvironmentVariable)(variableName);
        return value is null ? this : this with { Password = value };
    }

    /// <summary>Connection description without the password.</summary>
    public override string ToString()
    {
        string tls = TlsMode is null ? $"{EffectiveTlsMode} (default)" : EffectiveTlsMode.ToString();
        string password = string.IsNullOrEmpty(Password) ? "none" : "***";
        return string.Create(
            CultureInfo.InvariantCulture,
            $"Server={Host};Port={Port};User ID={UserName};Password={password};Database={Database};TlsMode={tls};ConnectionTimeout={ConnectionTimeout}");
    }

    internal string DescribeEndpoint() =>
        Host.StartsWith('/') ? Host : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");

    private static TlsMode MapSslMode(MySqlSslMode mode) => mode switch
    {
        MySqlSslMode.None => Protocol.TlsMode.Disabled,
        MySqlSslMode.Preferred => Protocol.TlsMode.Preferred,
        MySqlSslMode.Required => Protocol.TlsMode.Required,
        MySqlSslMode.VerifyCA => Protocol.TlsMode.VerifyCA,
        MySqlSslMode.VerifyFull => Protocol.TlsMode.VerifyFull,
        _ => throw new FormatException($"Unsupported SslMode {mode}."),
    };

    private static void RejectUnsupported(MySqlConnectionStringBuilder builder)
    {
        if (!string.IsNullOrEmpty(builder.SslCert) || !string.IsNullOrEmpty(builder.SslKey) || !string.IsNullOrEmpty(builder.CertificateFile))
        {
            throw new FormatException("Client certificates (SslCert, SslKey, CertificateFile) are not supported.");
        }

        if (builder.ConnectionProtocol is not (MySqlConnectionProtocol.Sockets or MySqlConnectionProtocol.UnixSocket))
        {
            throw new FormatException($"ConnectionProtocol={builder.ConnectionProtocol} is not supported; use TCP or a Unix socket.");
        }

        if (builder.UseCompression)
        {
            throw new FormatException("UseCompression (the compressed protocol) is not supported.");
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
