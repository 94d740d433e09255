using ReplicaKeeper.Archive.Configuration;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Cli;

public sealed class ArchiveConfigTests
{
    [Fact]
    public void Reads_the_archive_section_with_retention_and_offsite_names_of_secrets()
    {
        var config = ArchiveConfigReader.Parse("""
            {
              // the daemon's file has more sections; the archive reads its own
              "standby": { "anything": 1 },
              "archive": {
                "source": "Server=127.0.0.1;Port=3306;User ID=rk_repl",
                "passwordEnv": "RK_PW",
                "dir": "/var/lib/rk/archive",
                "keyEnv": "RK_ARCHIVE_KEY",
                "retention": { "days": 14, "gigabytes": 0.5 },
                "offsite": { "endpoint": "http://127.0.0.1:9000", "bucket": "clinic", "prefix": "a", "accessKeyEnv": "K", "secretKeyEnv": "S", "uploadIntervalSeconds": 30 },
              }
            }
            """, "test.json");

        Assert.Equal("/var/lib/rk/archive", config.Dir);
        Assert.Equal("RK_PW", config.PasswordEnv);
        var policy = config.ToRetentionPolicy();
        Assert.Equal(TimeSpan.FromDays(14), policy?.MaxAge);
        Assert.Equal(512L * 1024 * 1024, policy?.MaxStoredBytes);
        Assert.Equal("s3://clinic/a/ at http://127.0.0.1:9000", config.Offsite?.Target);
        Assert.Equal(30, config.Offsite?.UploadIntervalSeconds);
    }

    [Fact]
    public void A_file_without_an_archive_section_is_the_section_itself()
    {
        var config = ArchiveConfigReader.Parse("""{ "dir": "/a", "keyFile": "/k" }""", "f");
        Assert.Equal("/a", config.Dir);
        Assert.Equal("/k", config.KeyFile);
        Assert.Null(config.ToRetentionPolicy());
        Assert.Null(config.ToOffsiteOptions());
    }

    [Theory]
    [InlineData("""{ "archive": { "dir": "/a", "key": "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" } }""", "archive.key", "keyFile or keyEnv")]
    [InlineData("""{ "archive": { "offsite": { "bucket": "b", "secretAccessKey": "abc" } } }""", "archive.offsite.secretAccessKey", "secretKeyEnv")]
    [InlineData("""{ "archive": { "source": "Server=h;User ID=u;Password=pw" } }""", "archive.source", "passwordEnv")]
    [InlineData("""{ "password": "x" }""", "'password'", "passwordEnv")]
    public void Refuses_a_config_that_holds_a_secret_naming_the_property_and_where_it_belongs(string json, string property, string instead)
    {
        var ex = Assert.Throws<ArchiveConfigException>(() => ArchiveConfigReader.Parse(json, "secret.json"));
        Assert.Contains(property, ex.Message, StringComparison.Ordinal);
        Assert.Contains(instead, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("AAECAwQF", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pw", ex.Message.Replace("passwordEnv", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "archive": { "dir": "/a", "retension": { "days": 3 } } }""", "retension", "not a known setting")]
    [InlineData("""{ "archive": { "retention": { "days": "many" } } }""", "retention.days", "wrong type")]
    [InlineData("""{ "archive": { "retention": { "days": -1 } } }""", "retention.days", "positive")]
    [InlineData("""{ "archive": { "offsite": { "prefix": "p" } } }""", "offsite.bucket", "required")]
    [InlineData("""{ "archive": { "offsite": { "bucket": "b", "endpoint": "not a url" } } }""", "offsite.endpoint", "absolute URL")]
    [InlineData("""{ "archive": [1] }""", "archive", "")]
    public void Refuses_an_invalid_config_naming_the_bad_key(string json, string key, string reason)
    {
        var ex = Assert.Throws<ArchiveConfigException>(() => ArchiveConfigReader.Parse(json, "bad.json"));
        Assert.Contains(key, ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("bad.json", ex.Message, StringComparison.Ordinal);
    }
}
