using MySqlConnector;
using ReplicaKeeper.Binlog.Positions;
using ReplicaKeeper.Standby.Sql;

namespace ReplicaKeeper.Standby.Positions;

/// <summary>Reads a server's current binlog position and executed GTIDs.</summary>
public static class SourcePositionReader
{
    /// <summary>
    /// Current executed GTIDs (MySQL @@gtid_executed, MariaDB @@gtid_binlog_pos) and the binlog file/offset.
    /// </summary>
    public static async Task<StandbyPosition> ReadCurrentAsync(MySqlConnection connection, ServerFlavor flavor, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        BinlogPosition? file = null;
        await using (var command = new MySqlCommand(flavor == ServerFlavor.MySql ? "SHOW BINARY LOG STATUS" : "SHOW MASTER STATUS", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false))
        {
            if (await reader.ReadAsync(ct).ConfigureAwait(false))
            {
                file = new BinlogPosition(reader.GetString(0), Convert.ToUInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (flavor == ServerFlavor.MySql)
        {
            var text = await connection.ScalarTextAsync("SELECT @@GLOBAL.gtid_executed", ct, transaction).ConfigureAwait(false) ?? "";
            return new StandbyPosition(GtidSet.Parse(text), null, file);
        }

        var list = await connection.ScalarTextAsync("SELECT @@GLOBAL.gtid_binlog_pos", ct, transaction).ConfigureAwait(false) ?? "";
        return new StandbyPosition(null, MariaDbGtidList.Parse(list), file);
    }

    /// <summary>MariaDB: the GTID list that corresponds to a binlog file/offset (BINLOG_GTID_POS).</summary>
    public static async Task<MariaDbGtidList> MariaDbGtidsAtAsync(MySqlConnection connection, BinlogPosition position, CancellationToken ct, MySqlTransaction? transaction = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var command = new MySqlCommand("SELECT BINLOG_GTID_POS(@file, @offset)", connection, transaction);
        command.Parameters.AddWithValue("@file", position.File);
        command.Parameters.AddWithValue("@offset", position.Offset);
        var value = await command.ExecuteScalarAsync(ct).ConfigureAwait(false);
        var text = value switch
        {
            null or DBNull => throw new InvalidOperationException($"BINLOG_GTID_POS({position}) returned NULL: the position is not in the server's binlogs."),
            byte[] bytes => System.Text.Encoding.UTF8.GetString(bytes),
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };
        return MariaDbGtidList.Parse(text);
    }
}
