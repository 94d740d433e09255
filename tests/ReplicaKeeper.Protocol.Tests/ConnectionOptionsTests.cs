namespace ReplicaKeeper.Protocol.Tests;

public class ConnectionOptionsTests
{
    [Fact]
    public void Parses_a_mysqlconnector_connection_string()
    {
        var options = ConnectionOptions.Parse(
            "Server=db1.example;Port=3307;User ID=repl;Password=p@ss;Database=shop;SslMode=VerifyCA;SslCa=/etc/ca.pem;" +
            "ServerRSAPublicKeyFile=/etc/key.pem;AllowPublicKeyRetrieval=true;Connection Timeout=7;Keepalive=30;Pooling=false");

        Assert.Equal("db1.example", options.Host);
        Assert.Equal(3307, options.Port);
        Assert.Equal("repl", options.UserName);
        Assert.Equal("p@ss", options.Password);
        Assert.Equal("shop", options.Database);
        Assert.Equal(TlsMode.VerifyCA, options.TlsMode);
        Assert.Equal("/etc/ca.pem", options.TlsCaFile);
        Assert.Equal("/etc/key.pem", options.ServerRsaPublicKeyFile);
        Assert.True(options.AllowPublicKeyRetrieval);
        Assert.Equal(TimeSpan.FromSeconds(7), options.ConnectionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Keepalive);
    }

    [Theory]
    [InlineData("None", TlsMode.Disabled)]
    [InlineData("Disabled", TlsMode.Disabled)]
    [InlineData("Preferred", TlsMode.Preferred)]
    [InlineData("Required", TlsMode.Required)]
    [InlineData("VerifyCA", TlsMode.VerifyCA)]
    [InlineData("VerifyFull", TlsMode.VerifyFull)]
    public void Maps_every_ssl_mode(string sslMode, TlsMode expected) =>
        Assert.Equal(expected, ConnectionOptions.Parse($"Server=h;SslMode={sslMode}").EffectiveTlsMode);

    [Theory]
    [InlineData("127.0.0.1", TlsMode.Preferred)]
    [InlineData("127.8.9.10", TlsMode.Preferred)]
    [InlineData("localhost", TlsMode.Preferred)]
    [InlineData("::1", TlsMode.Preferred)]
    [InlineData("/run/mysqld/mysqld.sock", TlsMode.Preferred)]
    [InlineData("db.example.com", TlsMode.VerifyFull)]
    [InlineData("10.0.0.5", TlsMode.VerifyFull)]
    [InlineData("127.0.0.1,db.example.com", TlsMode.VerifyFull)]
    public void Defaults_to_preferred_tls_on_loopback_and_verify_full_elsewhere(string host, TlsMode expected)
    {
        var options = ConnectionOptions.Parse($"Server={host};User ID=u");
        Assert.Null(options.TlsMode);
        Assert.Equal(expected, options.EffectiveTlsMode);
    }

    [Fact]
    public void Never_prints_the_password()
    {
        var options = ConnectionOptions.Parse("Server=h;User ID=u;Password=TopSecret123");
        Assert.DoesNotContain("TopSecret123", options.ToString(), StringComparison.Ordinal);
        Assert.Contains("Password=***", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Reads_the_password_from_the_named_environment_variable()
    {
        var env = new Dictionary<string, string> { ["MY_PW"] = "from-env" };
        var options = ConnectionOptions.Parse("Server=h;User ID=u;PasswordEnvironmentVariable=MY_PW", env.GetValueOrDefault);
        Assert.Equal("from-env", options.Password);

        var missing = Assert.Throws<FormatException>(() => ConnectionOptions.Parse("Server=h;Password Environment Variable=NOPE", env.GetValueOrDefault));
        Assert.Contains("'NOPE'", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Takes_the_conventional_environment_password_only_when_none_is_given()
    {
        var env = new Dictionary<string, string> { [ConnectionOptions.DefaultPasswordEnvironmentVariable] = "env-pw" };
        Assert.Equal("env-pw", ConnectionOptions.Parse("Server=h").WithPasswordFromEnvironment(getEnvironmentVariable: env.GetValueOrDefault).Password);
        Assert.Equal("given", ConnectionOptions.Parse("Server=h;Password=given").WithPasswordFromEnvironment(getEnvironmentVariable: env.GetValueOrDefault).Password);
    }

    [Theory]
    [InlineData("Server=h;Frobnicate=1", "frobnicate")]
    [InlineData("Server=h;SslCert=/c.pem;SslKey=/k.pem", "Client certificates")]
    [InlineData("Server=h;UseCompression=true", "UseCompression")]
    public void Rejects_unknown_and_unsupported_options_by_name(string connectionString, string expected)
    {
        var error = Assert.Throws<FormatException>(() => ConnectionOptions.Parse(connectionString));
        Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
    }
}
