using System.Diagnostics;
using System.Globalization;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Failover.Status;
using ReplicaKeeper.Restore.Archive;
using ReplicaKeeper.Restore.Find;
using ReplicaKeeper.Restore.Replay;
using ReplicaKeeper.Restore.Snapshots;
using Serilog;

namespace ReplicaKeeper.Cli.Demo;

/// <summary>
/// The clinic story end to end on throwaway local servers: a master, a standby kept in step by ReplicaKeeper and
/// an empty scratch instance; ReplicaKeeper archives the master's binlog; the clinic works; someone deletes patient
/// 4711; the work goes on; <c>find</c> names the transaction; a restore of everything except that transaction into
/// the scratch instance brings the patient back and keeps every later write. Every step is checked; the servers
/// and files are removed at the end, also on failure or Ctrl+C.
/// </summary>
internal sealed class DemoScenario(DemoConsole output, DemoOptions options)
{
    public const int Steps = 8;
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromSeconds(60);

    private readonly DemoLog _log = new();
    private DemoServer _master = null!;
    private DemoServer _standby = null!;
    private DemoServer _scratch = null!;
    private DemoDaemon _daemon = null!;
    private string _patientBefore = "";
    private string _gtid = "";

    /// <summary>Runs the story; true when every check passed. Cleans up whatever it started.</summary>
    public async Task<bool> RunAsync(CancellationToken ct)
    {
        output.Title("ReplicaKeeper demo: the clinic that deleted patient 4711");
        var work = Directory.CreateTempSubdirectory("rkdemo-").FullName;
        var servers = new List<DemoServer>();
        using var logger = new LoggerConfiguration().MinimumLevel.Information().WriteTo.Sink(_log).CreateLogger();
        try
        {
            using (output.Step("Start three local MariaDB servers: master, standby, scratch"))
            {
                await StartServersAsync(work, servers, ct);
            }

            using (output.Step("The clinic's database; seed the standby (replicakeeper standby init); start the daemon (replicakeeper run)"))
            {
                await StartReplicaKeeperAsync(work, logger, ct);
            }

            using (output.Step("The clinic's morning: patients, appointments, studies"))
            {
                await MorningAsync(ct);
            }

            using (output.Step("Snapshot the standby into the archive (replicakeeper snapshot)"))
            {
                await SnapshotAsync(logger, ct);
            }

            using (output.Step("The accident: patient 4711 is deleted, and the clinic keeps working"))
            {
                await AccidentAsync(ct);
            }

            using (output.Step("Find the transaction that deleted patient 4711 (replicakeeper find)"))
            {
                await FindAsync(ct);
            }

            using (output.Step("Restore everything except that transaction into the scratch server (replicakeeper restore --skip-gtid)"))
            {
                await RestoreAsync(ct);
            }

            using (output.Step("Check the restored data"))
            {
                await VerifyAsync(ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            output.Failure("interrupted: stopping ReplicaKeeper and the servers");
        }
        catch (Exception e)
        {
            output.Check("the demo ran to the end", false, e.GetBaseException().Message);
            output.Note(e.ToString());
            ShowLogs();
        }
        finally
        {
            await CleanUpAsync(servers, work);
        }

        if (ct.IsCancellationRequested)
        {
            return false;
        }

        output.Summary();
        return output.AllPassed;
    }

    private async Task StartServersAsync(string work, List<DemoServer> servers, CancellationToken ct)
    {
        if (DemoInstallation.Problem() is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        output.Note($"working directory {work} (servers, archive; removed at the end)");
        var clock = Stopwatch.StartNew();
        var template = await DemoTemplate.CreateAsync(Path.Combine(work, "template"), ct);
        output.Note(string.Create(CultureInfo.InvariantCulture, $"initialized a data directory template with mariadb-install-db in {clock.Elapsed.TotalSeconds:F1} s"));
        var baseId = (uint)Random.Shared.Next(1000, 60000);
        var names = new[] { "master", "standby", "scratch" };
        var starting = names.Select((name, i) => DemoServer.StartAsync(name, template, Path.Combine(work, name), baseId + (uint)i, ct)).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            servers.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
        }

        (_master, _standby, _scratch) = (servers[0], servers[1], servers[2]);
        var version = await DemoQueries.ScalarAsync(_master, "SELECT VERSION()", ct);
        foreach (var server in servers)
        {
            output.Info($"{server}  {version}");
        }

        output.Check("three MariaDB servers answer on 127.0.0.1", servers.Count == 3,
            string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds:F1} s including the template"));
    }

    private async Task StartReplicaKeeperAsync(string work, Serilog.ILogger logger, CancellationToken ct)
    {
        await using (var master = await _master.OpenAsync(ct))
        {
            output.Sql("master", "CREATE DATABASE clinic; CREATE TABLE clinic.patients / appointments / studies (...)");
            await ClinicTraffic.ExecuteAsync(master, ClinicTraffic.Schema, ct);
        }

        output.Sql("shell", "replicakeeper standby init --source '<master>' --target '<standby>'");
        output.Sql("shell", "replicakeeper run --config replicakeeper.json   # here: in-process, configured in code");
        _daemon = await DemoDaemon.StartAsync(_master, _standby, work, logger, ct);
        var seed = _daemon.Seed;
        output.Info(string.Create(CultureInfo.InvariantCulture,
            $"standby seeded in {seed.Elapsed.TotalSeconds:F1} s: {seed.Tables.Count} tables, {seed.TotalRows} rows, applier starts after {seed.Position}"));
        output.Info($"daemon running: archiver into {_daemon.Layout.Root} (sealed with zstd + AES-256-GCM, key id {_daemon.Key.KeyId}), standby applier, status at {_daemon.StatusBaseUri}status");
        var tables = await DemoQueries.ScalarAsync(_standby, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'clinic'", ct);
        output.Check("the standby has the clinic's tables and a position to continue from", tables == "3" && seed.IsExact, $"{tables} tables");
    }

    private async Task MorningAsync(CancellationToken ct)
    {
        await using (var master = await _master.OpenAsync(ct))
        {
            var clock = Stopwatch.StartNew();
            var transactions = await ClinicTraffic.RunMorningAsync(master, ct);
            output.Info(string.Create(CultureInfo.InvariantCulture,
                $"{transactions} transactions in {clock.Elapsed.TotalSeconds:F1} s (inserts in batches, reschedules, phone updates, cancellations), over 3 binlog files"));
        }

        foreach (var table in DemoQueries.TableColumns.Keys)
        {
            output.Info($"clinic.{table}: {await DemoQueries.FingerprintAsync(_master, table, null, ct)}");
        }

        var (standbyTime, archiveTime) = await WaitForReplicationAsync(ct);
        output.Info(string.Create(CultureInfo.InvariantCulture,
            $"the standby had applied everything {standbyTime.TotalSeconds:F1} s after the last commit, the archive had it durable after {archiveTime.TotalSeconds:F1} s"));
        var equal = true;
        foreach (var table in DemoQueries.TableColumns.Keys)
        {
            equal &= await DemoQueries.FingerprintAsync(_master, table, null, ct) == await DemoQueries.FingerprintAsync(_standby, table, null, ct);
        }

        output.Check("the standby holds exactly the master's rows (fingerprints of all three tables)", equal);
        await ShowStatusAsync(ct);
    }

    /// <summary>A failed snapshot fails its check, and the story goes on: the restore then starts from the archive's first segment.</summary>
    private async Task SnapshotAsync(Serilog.ILogger logger, CancellationToken ct)
    {
        output.Sql("shell", $"replicakeeper snapshot --from '<standby>' --archive {_daemon.Layout.Root} --key-file KEY");
        SnapshotInfo snapshot;
        try
        {
            var taker = new SnapshotTaker(_daemon.Layout, _daemon.Key);
            snapshot = await taker.TakeAsync(new SnapshotOptions { StandbyConnectionString = _standby.AdminConnectionString, Logger = logger }, null, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            output.Check("the standby's snapshot is stored in the archive", false, e.GetBaseException().GetType().Name + ": " + e.GetBaseException().Message);
            output.Note(e.ToString());
            return;
        }

        output.Info(snapshot.ToString());
        var listed = await SnapshotCatalog.ReadAsync(_daemon.Layout, ct);
        var applied = await DemoDaemon.AppliedGtidsAsync(_standby, ct);
        output.Check("the standby's snapshot is stored in the archive, stamped with the standby's applied position",
            listed.Any(s => s.Id == snapshot.Id) && applied is not null && snapshot.Position.MariaDbGtids == applied.ToString(),
            $"{snapshot.Tables} tables, {snapshot.Rows} rows at {snapshot.Position.MariaDbGtids}");
    }

    /// <summary>What <c>replicakeeper status</c> shows: the daemon's /status document as a table.</summary>
    private async Task ShowStatusAsync(CancellationToken ct)
    {
        if (_daemon.StatusBaseUri is not { } endpoint)
        {
            return;
        }

        var url = new Uri(endpoint, "status");
        output.Sql("shell", $"replicakeeper status --url {url}");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var status = StatusJson.Deserialize(await http.GetStringAsync(url, ct));
        output.Render(StatusRenderer.ToTable(status));
    }

    private async Task AccidentAsync(CancellationToken ct)
    {
        var patient = DemoQueries.PatientQuery(ClinicTraffic.DeletedPatient);
        output.Sql("master", patient);
        var (columns, rows) = await DemoQueries.QueryAsync(_master, patient, ct);
        output.Result(columns, rows);
        if (rows.Count != 1)
        {
            throw new InvalidOperationException("patient 4711 is not on the master before the accident");
        }

        _patientBefore = string.Join('|', rows[0]);
        await using (var master = await _master.OpenAsync(ct))
        {
            output.Sql("master", ClinicTraffic.Accident + "   -- meant: DELETE FROM clinic.appointments WHERE id = 4711");
            await ClinicTraffic.ExecuteAsync(master, ClinicTraffic.Accident, ct);
            output.Note("... and the clinic keeps working:");
            foreach (var sql in ClinicTraffic.LaterWrites)
            {
                output.Sql("master", sql);
                await ClinicTraffic.ExecuteAsync(master, sql, ct);
            }
        }

        await WaitForReplicationAsync(ct);
        output.Sql("standby", patient);
        var (_, standbyRows) = await DemoQueries.QueryAsync(_standby, patient, ct);
        output.Result(columns, standbyRows);
        output.Check("the standby copied the accident too (a replica is no backup against mistakes)", standbyRows.Count == 0);
    }

    private async Task FindAsync(CancellationToken ct)
    {
        var query = new ChangeQuery("clinic.patients", RowFilter.Parse("id=4711"), RowOperation.Delete);
        output.Sql("shell", $"replicakeeper find --archive {_daemon.Layout.Root} --key-file KEY --table clinic.patients --where id=4711 --op delete");
        var source = await ArchiveSource.OpenAsync(_daemon.Layout.Root, _daemon.Key, ct);
        output.Note(string.Create(CultureInfo.InvariantCulture,
            $"the archive holds {source.Segments.Count} segments: {string.Join(", ", source.Segments.Select(s => s.Name + " (" + s.Storage.ToString().ToLowerInvariant() + ")"))}"));
        var found = new List<FoundChange>();
        await foreach (var change in new RowChangeFinder(source).FindAsync(query, ct))
        {
            found.Add(change);
        }

        foreach (var change in found)
        {
            output.Info($"DELETE clinic.patients  gtid {change.Gtid}  committed {change.CommitTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)} UTC  at {change.File}:{change.Position}");
            output.Info("  statement: " + (change.Statement ?? "(not logged)"));
            output.Info("  before:    " + string.Join(", ", (change.Before ?? []).Select(p => p.Key + "=" + (p.Value ?? "NULL"))));
        }

        output.Check("find names exactly one transaction that deleted patient 4711", found.Count == 1 && found[0].Gtid is not null,
            string.Create(CultureInfo.InvariantCulture, $"{found.Count} found"));
        if (found.Count != 1 || found[0].Gtid is null)
        {
            throw new InvalidOperationException("cannot restore without knowing the transaction to skip");
        }

        _gtid = found[0].Gtid!;
        var name = found[0].Before?.FirstOrDefault(p => p.Key == "name").Value;
        output.Check("its before image is the deleted patient", _patientBefore.Split('|')[1] == name, name);
    }

    private async Task RestoreAsync(CancellationToken ct)
    {
        output.Sql("shell", $"replicakeeper restore --archive {_daemon.Layout.Root} --key-file KEY --target '<scratch>' --skip-gtid {_gtid}");
        var source = await ArchiveSource.OpenAsync(_daemon.Layout.Root, _daemon.Key, ct);
        var restore = new PointInTimeRestore(source);
        var plan = await restore.PlanAsync(RestoreTarget.Latest, [_gtid], ct);
        output.Note($"plan: {plan.SnapshotChoice ?? "no snapshot"}; replay {plan.Segments.Count} segment(s): {string.Join(", ", plan.Segments.Select(s => s.Name))}");
        var result = await restore.ReplayAsync(plan, _scratch.AdminConnectionString, null, ct);
        output.Info(result.Describe());
        output.Check("the restore left out exactly the accident", result.SkippedGtids.Count == 1 && result.SkippedGtids[0] == _gtid);
    }

    private async Task VerifyAsync(CancellationToken ct)
    {
        var patient = DemoQueries.PatientQuery(ClinicTraffic.DeletedPatient);
        output.Sql("scratch", patient);
        var (columns, rows) = await DemoQueries.QueryAsync(_scratch, patient, ct);
        output.Result(columns, rows);
        output.Check("patient 4711 is back, exactly as he was", rows.Count == 1 && string.Join('|', rows[0]) == _patientBefore);

        var late = string.Create(CultureInfo.InvariantCulture,
            $"SELECT p.id, p.name, a.at, a.reason FROM clinic.patients p JOIN clinic.appointments a ON a.patient_id = p.id WHERE p.id = {ClinicTraffic.LatePatient}");
        output.Sql("scratch", late);
        var (lateColumns, lateRows) = await DemoQueries.QueryAsync(_scratch, late, ct);
        output.Result(lateColumns, lateRows);
        output.Check("the patient registered after the accident is there with his appointment", lateRows.Count == 1);

        var lab = string.Create(CultureInfo.InvariantCulture, $"SELECT id, patient_id, kind, result, report FROM clinic.studies WHERE patient_id = {ClinicTraffic.DeletedPatient} AND kind = 'LAB' ORDER BY id DESC LIMIT 1");
        output.Sql("scratch", lab);
        var (labColumns, labRows) = await DemoQueries.QueryAsync(_scratch, lab, ct);
        output.Result(labColumns, labRows);
        output.Check("the lab result written for patient 4711 after the accident is kept",
            labRows.Count == 1 && labRows[0][4]?.Contains("after the deletion", StringComparison.Ordinal) == true);

        output.Note("every other row, compared with the master (count and CRC32 of every row):");
        var cases = new (string Table, string? Where, string Description)[]
        {
            ("patients", "id <> 4711", "clinic.patients except 4711 equals the master"),
            ("appointments", null, "clinic.appointments equals the master (reschedules after the accident included)"),
            ("studies", null, "clinic.studies equals the master (result updates after the accident included)"),
        };
        foreach (var (table, where, description) in cases)
        {
            output.Sql("both", DemoQueries.FingerprintSql(table, where));
            var master = await DemoQueries.FingerprintAsync(_master, table, where, ct);
            var scratch = await DemoQueries.FingerprintAsync(_scratch, table, where, ct);
            output.Check(description, master == scratch, master == scratch ? scratch : $"master {master}, scratch {scratch}");
        }

        var onMaster = await DemoQueries.QueryAsync(_master, patient, ct);
        output.Check("the master was not touched (patient 4711 is still missing there)", onMaster.Rows.Count == 0);
        output.Note("to bring him back on the master: replicakeeper flashback --archive DIR --gtid " + _gtid + " (writes the undo SQL)");
    }

    /// <summary>Waits until the standby has applied and the archive has made durable everything the master has.</summary>
    private async Task<(TimeSpan Standby, TimeSpan Archive)> WaitForReplicationAsync(CancellationToken ct)
    {
        var text = await DemoQueries.ScalarAsync(_master, "SELECT @@gtid_binlog_pos", ct) ?? "";
        var wanted = MariaDbGtidList.Parse(text);
        var clock = Stopwatch.StartNew();
        TimeSpan? standby = null;
        TimeSpan? archive = null;
        while (standby is null || archive is null)
        {
            if (clock.Elapsed > CatchUpTimeout)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture,
                    $"ReplicaKeeper did not catch up with the master ({text}) within {CatchUpTimeout.TotalSeconds:F0} s: standby {(standby is null ? "behind" : "done")}, archive {(archive is null ? "behind" : "done")}; {string.Join("; ", _daemon.Problems().DefaultIfEmpty("no component reports an error"))}"));
            }

            if (standby is null && await DemoDaemon.AppliedGtidsAsync(_standby, ct) is { } applied && wanted.Gtids.All(applied.Covers))
            {
                standby = clock.Elapsed;
            }

            // durable, and every closed segment sealed (nothing moves while find and restore read the archive)
            if (archive is null && await _daemon.ArchivedGtidsAsync(ct) is { } archived && wanted.Gtids.All(archived.Covers)
                && _daemon.Layout.RawSegments().Count <= 1)
            {
                archive = clock.Elapsed;
            }

            await Task.Delay(50, ct);
        }

        return (standby.Value, archive.Value);
    }

    private void ShowLogs()
    {
        var lines = _log.Last(30);
        if (lines.Count == 0)
        {
            return;
        }

        output.Note("last log lines of ReplicaKeeper:");
        foreach (var line in lines)
        {
            output.Note("  " + line);
        }
    }

    private async Task CleanUpAsync(List<DemoServer> servers, string work)
    {
        var clock = Stopwatch.StartNew();
        if (_daemon is not null)
        {
            await _daemon.DisposeAsync();
        }

        await Task.WhenAll(servers.Select(s => s.DisposeAsync().AsTask()));
        if (options.KeepFiles)
        {
            output.Note($"kept {work} (--keep)");
        }
        else
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException e)
            {
                output.Failure($"could not remove {work}: {e.Message}");
            }
        }

        output.Note(string.Create(CultureInfo.InvariantCulture,
            $"stopped ReplicaKeeper and {servers.Count} servers{(options.KeepFiles ? "" : ", removed " + work)} ({clock.Elapsed.TotalSeconds:F1} s)"));
    }
}

/// <summary>Options of <c>replicakeeper demo</c>.</summary>
internal sealed record DemoOptions(bool KeepFiles);
