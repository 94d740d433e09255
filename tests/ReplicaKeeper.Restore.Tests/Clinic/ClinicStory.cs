using System.Globalization;
using MySqlConnector;
using ReplicaKeeper.TestServers;
using Xunit;

namespace ReplicaKeeper.Restore.Tests.Clinic;

/// <summary>
/// The clinic story on a real master, played once per test class: schema (patients, appointments,
/// studies), a workload across several binlog files, the accidental <c>DELETE FROM patients WHERE id=4711</c>,
/// more work, a <c>DROP TABLE appointments</c>, more work. The master's binlog files from the start of the
/// story are copied into an archive directory (stand-in for the live archiver). Reference checksums are
/// taken on the master just before the DELETE, and at the end. A second, empty instance is the restore target.
/// </summary>
public abstract class ClinicStory(TestServerOptions options) : IAsyncLifetime
{
    public static readonly string[] Tables = ["patients", "appointments", "studies"];

    public TestServer Master { get; private set; } = null!;

    public TestServer Target { get; private set; } = null!;

    public string ArchiveDirectory { get; } = Path.Combine(Path.GetTempPath(), "rk-clinic-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>CHECKSUM TABLE of each table just before the accidental DELETE.</summary>
    public IReadOnlyDictionary<string, long?> BeforeDelete { get; private set; } = null!;

    /// <summary>CHECKSUM TABLE at the end (appointments: null, dropped).</summary>
    public IReadOnlyDictionary<string, long?> AtEnd { get; private set; } = null!;

    /// <summary>The row 4711 as the master had it ("id|name|born|balance|photo" text).</summary>
    public string Patient4711 { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var masterTask = TestServer.StartAsync(options);
        var targetTask = TestServer.StartAsync(options with { Standby = true });
        Master = await masterTask;
        Target = await targetTask;
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        var firstFile = (await Master.BinlogFilesAsync())[^1];

        await Master.ExecuteAsync("""
            CREATE DATABASE clinic;
            CREATE TABLE clinic.patients (id INT PRIMARY KEY, name VARCHAR(100) CHARACTER SET utf8mb4 NOT NULL, born DATE, balance DECIMAL(12,2),
              photo VARBINARY(64), updated DATETIME(6), note TEXT);
            CREATE TABLE clinic.appointments (id INT AUTO_INCREMENT PRIMARY KEY, patient_id INT NOT NULL, at DATETIME(3) NOT NULL, room ENUM('a','b','c'));
            CREATE TABLE clinic.studies (id BIGINT UNSIGNED PRIMARY KEY, patient_id INT, kind VARCHAR(20), score DOUBLE, payload BLOB);
            """);
        for (var batch = 0; batch < 4; batch++)
        {
            await InsertBatchAsync(batch);
            await Master.ExecuteAsync("FLUSH BINARY LOGS");
        }

        await Master.ExecuteAsync("UPDATE clinic.patients SET balance = balance + 10, note = 'o''brien \\\\ \\n line' WHERE id % 7 = 0");
        BeforeDelete = await ChecksumsAsync(Master);
        Patient4711 = await RowTextAsync(Master, 4711) ?? throw new InvalidOperationException("patient 4711 missing");
        await Master.ExecuteAsync("DELETE FROM clinic.patients WHERE id=4711");
        await Master.ExecuteAsync("INSERT INTO clinic.patients (id, name, born) VALUES (9001, 'after the mistake', '2001-02-03')");
        await Master.ExecuteAsync("FLUSH BINARY LOGS");
        await Master.ExecuteAsync("UPDATE clinic.studies SET score = score * 2 WHERE id < 20");
        await Master.ExecuteAsync("DROP TABLE clinic.appointments");
        await Master.ExecuteAsync("INSERT INTO clinic.studies (id, patient_id, kind, score) VALUES (99999, 4712, 'late', 1.5)");
        AtEnd = await ChecksumsAsync(Master);
        await Master.ExecuteAsync("FLUSH BINARY LOGS");

        Directory.CreateDirectory(ArchiveDirectory);
        var files = await Master.BinlogFilesAsync();
        foreach (var file in files.SkipWhile(f => f != firstFile))
        {
            File.Copy(Master.BinlogPath(file), Path.Combine(ArchiveDirectory, file));
        }
    }

    public async Task DisposeAsync()
    {
        await Master.DisposeAsync();
        await Target.DisposeAsync();
        try
        {
            Directory.Delete(ArchiveDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    public static async Task<IReadOnlyDictionary<string, long?>> ChecksumsAsync(TestServer server)
    {
        var result = new Dictionary<string, long?>();
        foreach (var table in Tables)
        {
            var exists = await server.ScalarAsync<long>(
                $"SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA='clinic' AND TABLE_NAME='{table}'");
            if (exists == 0)
            {
                result[table] = null;
                continue;
            }

            await using var connection = await server.OpenAdminConnectionAsync();
            await using var command = new MySqlCommand($"CHECKSUM TABLE clinic.{table}", connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            result[table] = reader.IsDBNull(1) ? null : Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture);
        }

        return result;
    }

    public static Task<string?> RowTextAsync(TestServer server, int id) => server.ScalarAsync<string>(
        $"SELECT CONCAT_WS('|', id, name, born, balance, HEX(photo), updated, note) FROM clinic.patients WHERE id = {id}");

    private async Task InsertBatchAsync(int batch)
    {
        // Several rows per transaction, several transactions per batch; ids 4700..4749 land in batch 0..3.
        for (var t = 0; t < 5; t++)
        {
            var values = new List<string>();
            for (var r = 0; r < 10; r++)
            {
                var id = 4600 + (batch * 50) + (t * 10) + r;
                values.Add(string.Create(CultureInfo.InvariantCulture,
                    $"({id}, 'Patient {id} ünïcödé', '19{50 + (id % 50)}-0{1 + (id % 9)}-1{id % 10}', {id}.{id % 100:D2}, X'{id:X8}00FF', '2026-11-25 14:03:{id % 60:D2}.{id % 1000000:D6}', NULL)"));
            }

            await Master.ExecuteAsync("INSERT INTO clinic.patients VALUES " + string.Join(", ", values));
            await Master.ExecuteAsync(string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO clinic.appointments (patient_id, at, room) VALUES ({4600 + (batch * 50) + t}, '2026-12-0{1 + t} 09:30:00.{t}25', '{"abc"[t % 3]}')"));
            await Master.ExecuteAsync(string.Create(CultureInfo.InvariantCulture,
                $"INSERT INTO clinic.studies VALUES ({(batch * 10) + t}, {4600 + t}, 'mri', {t}.25e1, X'{batch:X2}{t:X2}')"));
        }
    }
}

public sealed class MariaDbClinicStory() : ClinicStory(TestServerOptions.MariaDb);

public sealed class MySqlClinicStory() : ClinicStory(TestServerOptions.MySql with { ExtraArguments = ["--binlog-rows-query-log-events=ON"] });
