using Xunit;

namespace ReplicaKeeper.TestServers;

/// <summary>A source and a standby of the same flavour, started in parallel, shared by a test class.</summary>
public abstract class SourceAndStandbyFixture(TestServerOptions source, TestServerOptions standby) : IAsyncLifetime
{
    private TestServer? _source;
    private TestServer? _standby;

    public TestServer Source => _source ?? throw new InvalidOperationException("The fixture has not been initialized yet.");

    public TestServer Standby => _standby ?? throw new InvalidOperationException("The fixture has not been initialized yet.");

    public async Task InitializeAsync()
    {
        var sourceStart = TestServer.StartAsync(source);
        var standbyStart = TestServer.StartAsync(standby);
        try
        {
            await Task.WhenAll(sourceStart, standbyStart);
        }
        catch
        {
            // keep whichever did start from outliving the failed fixture
            foreach (var start in new[] { sourceStart, standbyStart })
            {
                if (start.IsCompletedSuccessfully)
                {
                    await (await start).DisposeAsync();
                }
            }

            throw;
        }

        _source = await sourceStart;
        _standby = await standbyStart;
    }

    public async Task DisposeAsync()
    {
        if (_source is not null)
        {
            await _source.DisposeAsync();
        }

        if (_standby is not null)
        {
            await _standby.DisposeAsync();
        }
    }
}

/// <summary>MariaDB source + MariaDB standby.</summary>
public sealed class MariaDbSourceAndStandbyFixture()
    : SourceAndStandbyFixture(TestServerOptions.MariaDb, TestServerOptions.MariaDb with { Standby = true });

/// <summary>MySQL source + MySQL standby.</summary>
public sealed class MySqlSourceAndStandbyFixture()
    : SourceAndStandbyFixture(TestServerOptions.MySql, TestServerOptions.MySql with { Standby = true });
