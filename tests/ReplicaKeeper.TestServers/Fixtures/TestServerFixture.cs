using Xunit;

namespace ReplicaKeeper.TestServers;

/// <summary>
/// One server shared by all tests of a class (<c>IClassFixture&lt;MariaDbFixture&gt;</c>) or a collection. Started
/// before the first test, killed and deleted after the last, also when tests fail. Derive to make a variant:
/// <c>public sealed class MyFixture() : TestServerFixture(TestServerOptions.MariaDb with { ... });</c>
/// </summary>
public abstract class TestServerFixture(TestServerOptions options) : IAsyncLifetime
{
    private TestServer? _server;

    public TestServerOptions Options { get; } = options;

    public TestServer Server => _server ?? throw new InvalidOperationException("The fixture has not been initialized yet.");

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(Options);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
