using System.Globalization;
using System.Text;
using ReplicaKeeper.TestServers;

namespace ReplicaKeeper.Benchmarks.Apply;

/// <summary>
/// The apply-rate workload: small OLTP transactions of 1 to 9 row changes (single-row INSERTs, UPDATEs and DELETEs
/// by primary key, and UPDATEs by a secondary key) on two tables, written by several connections.
/// Deterministic per seed; returns the number of transactions written.
/// </summary>
public static class ApplyWorkload
{
    public const string Database = "applybench";

    public static string Schema => $"""
        CREATE DATABASE {Database};
        CREATE TABLE {Database}.account (id INT NOT NULL PRIMARY KEY, balance BIGINT NOT NULL, name VARCHAR(64) NOT NULL, updated DATETIME(6) NOT NULL) ENGINE=InnoDB;
        CREATE TABLE {Database}.event (id BIGINT NOT NULL PRIMARY KEY, account INT NOT NULL, amount DECIMAL(12,2) NOT NULL, note VARCHAR(100) NULL, KEY (account)) ENGINE=InnoDB;
        """;

    public static async Task<long> RunAsync(TestServer master, int rows, int connections, CancellationToken ct)
    {
        var perConnection = rows / connections;
        var writers = Enumerable.Range(0, connections).Select(c => Task.Run(() => WriteAsync(master, c, perConnection, ct), ct)).ToList();
        var counts = await Task.WhenAll(writers);
        return counts.Sum();
    }

    private static async Task<long> WriteAsync(TestServer master, int connection, int rows, CancellationToken ct)
    {
        var random = new Random(1234 + connection);
        await using var db = await master.OpenAdminConnectionAsync(ct);
        var accounts = new List<int>();
        long nextEvent = (long)connection << 40;
        var nextAccount = connection * 10_000_000;
        var written = 0;
        long transactions = 0;
        var sql = new StringBuilder();
        while (written < rows)
        {
            sql.Clear().Append("START TRANSACTION;");
            var statements = random.Next(1, 10);
            for (var s = 0; s < statements; s++)
            {
                var pick = random.Next(100);
                if (accounts.Count < 50 || pick < 35)
                {
                    var id = ++nextAccount;
                    accounts.Add(id);
                    sql.Append(Invariant($"INSERT INTO {Database}.account VALUES ({id}, {random.Next(1000)}, 'name-{id}', NOW(6));"));
                }
                else if (pick < 60)
                {
                    var id = accounts[random.Next(accounts.Count)];
                    sql.Append(Invariant($"UPDATE {Database}.account SET balance = balance + {random.Next(-50, 50)}, updated = NOW(6) WHERE id = {id};"));
                }
                else if (pick < 85)
                {
                    sql.Append(Invariant($"INSERT INTO {Database}.event VALUES ({++nextEvent}, {accounts[random.Next(accounts.Count)]}, {random.Next(100000) / 100.0:F2}, 'e');"));
                }
                else if (pick < 93)
                {
                    var index = random.Next(accounts.Count);
                    var id = accounts[index];
                    accounts.RemoveAt(index);
                    sql.Append(Invariant($"DELETE FROM {Database}.account WHERE id = {id};"));
                }
                else
                {
                    sql.Append(Invariant($"UPDATE {Database}.event SET note = 'n{random.Next(1000)}' WHERE account = {accounts[random.Next(accounts.Count)]};"));
                }

                written++;
            }

            sql.Append("COMMIT;");
            await using var command = new MySqlConnector.MySqlCommand(sql.ToString(), db);
            await command.ExecuteNonQueryAsync(ct);
            transactions++;
        }

        return transactions;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
