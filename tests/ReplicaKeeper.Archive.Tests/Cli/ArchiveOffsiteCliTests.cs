using ReplicaKeeper.Archive.Storage;
using ReplicaKeeper.Archive.Tests.Offsite;
using ReplicaKeeper.Archive.Tests.Support;
using Xunit;

namespace ReplicaKeeper.Archive.Tests.Cli;

/// <summary>
/// The archive CLI's off-site and retention commands end to end: an encrypted archive built from real
/// MariaDB binlog files, uploaded to s3rver with <c>archive upload</c>, checked with
/// <c>archive verify --remote / --remote-only</c>, pruned with <c>archive prune</c>.
/// </summary>
public sealed class ArchiveOffsiteCliTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private static readonly Dictionary<string, string> Credentials = new()
    {
        ["RK_TEST_S3_ID"] = "S3RVER",
        ["RK_TEST_S3_SECRET"] = "S3RVER",
    };

    [Fact]
    public async Task Upload_then_verify_remote_is_clean_and_names_a_deleted_object_with_exit_1()
    {
        using var dir = new TempDirectory();
        var keyFile = Path.Combine(dir.Path, "archive.key");
        await File.WriteAllTextAsync(keyFile, ArchiveKey.NewKeyBase64());
        using (var key = ArchiveKey.Load(keyFile))
        {
            await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb", key);
        }

        var s3Flags = S3Flags("cli" + Guid.NewGuid().ToString("N")[..6]);
        var upload = await CliRunner.RunAsync(Credentials, ["archive", "upload", "--dir", dir.Path, .. s3Flags]);
        Assert.True(upload.ExitCode == 0, upload.Output + upload.Error);
        Assert.Contains("uploaded: sealed/bin.000001.zst.aes", upload.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("S3RVER", upload.Output + upload.Error, StringComparison.Ordinal);

        var clean = await CliRunner.RunAsync(Credentials, ["archive", "verify", "--dir", dir.Path, "--key-file", keyFile, "--remote", .. s3Flags]);
        Assert.True(clean.ExitCode == 0, clean.Output + clean.Error);
        Assert.Contains("OK: remote copy", clean.Output, StringComparison.Ordinal);

        // remote only, without the key: sizes, hashes and chain checked, contents not
        var keyless = await CliRunner.RunAsync(Credentials, ["archive", "verify", "--remote-only", .. s3Flags]);
        Assert.True(keyless.ExitCode == 0, keyless.Output + keyless.Error);
        Assert.Contains("segment contents not checked", keyless.Output, StringComparison.Ordinal);

        using (var store = s3.Store(s3Flags[5]))
        {
            await store.DeleteAsync("sealed/bin.000002.zst.aes", CancellationToken.None);
        }

        var broken = await CliRunner.RunAsync(Credentials, ["archive", "verify", "--remote-only", "--key-file", keyFile, .. s3Flags]);
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("PROBLEM: manifest line 2: bin.000002: remote object sealed/bin.000002.zst.aes is missing", broken.Output, StringComparison.Ordinal);
        Assert.Contains("FAILED: 1 problem(s)", broken.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Prune_keeps_segments_not_copied_off_site_and_dry_run_deletes_nothing()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb");
        var s3Flags = S3Flags("prune" + Guid.NewGuid().ToString("N")[..6]);
        var sealedBefore = Directory.GetFiles(dir.Layout.SealedDirectory).Length;

        var dry = await CliRunner.RunAsync(Credentials, ["archive", "prune", "--dir", dir.Path, "--retain-gb", "0.000000001", "--dry-run"]);
        Assert.True(dry.ExitCode == 0, dry.Output + dry.Error);
        Assert.Contains("would delete: bin.000001", dry.Output, StringComparison.Ordinal);
        Assert.Equal(sealedBefore, Directory.GetFiles(dir.Layout.SealedDirectory).Length);

        // with an off-site store named, nothing goes before it is copied
        var pinned = await CliRunner.RunAsync(Credentials, ["archive", "prune", "--dir", dir.Path, "--retain-gb", "0.000000001", .. s3Flags]);
        Assert.True(pinned.ExitCode == 0, pinned.Output + pinned.Error);
        Assert.Contains("kept: bin.000001 is needed by the off-site copy", pinned.Output, StringComparison.Ordinal);
        Assert.Equal(sealedBefore, Directory.GetFiles(dir.Layout.SealedDirectory).Length);

        Assert.Equal(0, (await CliRunner.RunAsync(Credentials, ["archive", "upload", "--dir", dir.Path, .. s3Flags])).ExitCode);
        var pruned = await CliRunner.RunAsync(Credentials, ["archive", "prune", "--dir", dir.Path, "--retain-gb", "0.000000001", .. s3Flags]);
        Assert.True(pruned.ExitCode == 0, pruned.Output + pruned.Error);
        Assert.Contains("deleted: bin.000001", pruned.Output, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Layout.SealedDirectory));
        Assert.Equal(0, (await CliRunner.RunAsync(null, ["archive", "verify", "--dir", dir.Path])).ExitCode);
    }

    [Fact]
    public async Task A_config_file_drives_upload_and_one_holding_a_key_is_refused_with_exit_2()
    {
        using var dir = new TempDirectory();
        await ArchiveBuilder.BuildAsync(dir.Layout, "mariadb");
        var prefix = "cfg" + Guid.NewGuid().ToString("N")[..6];
        var config = Path.Combine(dir.Path, "rk.json");
        await File.WriteAllTextAsync(config, $$"""
            { "archive": { "dir": "{{dir.Path}}",
                           "offsite": { "endpoint": "{{s3.ServiceUrl}}", "bucket": "{{S3rverFixture.Bucket}}", "prefix": "{{prefix}}",
                                        "accessKeyEnv": "RK_TEST_S3_ID", "secretKeyEnv": "RK_TEST_S3_SECRET" } } }
            """);
        var upload = await CliRunner.RunAsync(Credentials, ["archive", "upload", "--config", config]);
        Assert.True(upload.ExitCode == 0, upload.Output + upload.Error);
        Assert.Contains("uploaded: sealed/bin.000001.zst\n", upload.Output, StringComparison.Ordinal);
        Assert.Contains("OK: 2 object(s) uploaded", upload.Output, StringComparison.Ordinal);
        var verify = await CliRunner.RunAsync(Credentials, ["archive", "verify", "--config", config, "--remote"]);
        Assert.True(verify.ExitCode == 0, verify.Output + verify.Error);

        var withKey = Path.Combine(dir.Path, "bad.json");
        await File.WriteAllTextAsync(withKey, $$"""{ "archive": { "dir": "{{dir.Path}}", "key": "{{ArchiveKey.NewKeyBase64()}}" } }""");
        var refused = await CliRunner.RunAsync(null, ["archive", "upload", "--config", withKey]);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("'archive.key' would put a secret in the config file", refused.Error, StringComparison.Ordinal);

        var noCredentials = await CliRunner.RunAsync(null, ["archive", "upload", "--config", config]);
        Assert.Equal(5, noCredentials.ExitCode);
        Assert.Contains("RK_TEST_S3_ID", noCredentials.Error, StringComparison.Ordinal);
    }

    private string[] S3Flags(string prefix) =>
        ["--s3-endpoint", s3.ServiceUrl, "--s3-bucket", S3rverFixture.Bucket, "--s3-prefix", prefix, "--s3-access-key-env", "RK_TEST_S3_ID", "--s3-secret-key-env", "RK_TEST_S3_SECRET"];
}
