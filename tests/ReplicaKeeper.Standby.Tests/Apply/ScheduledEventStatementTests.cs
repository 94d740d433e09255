using ReplicaKeeper.Standby.Schema;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Apply;

public sealed class ScheduledEventStatementTests
{
    [Theory]
    [InlineData("CREATE EVENT ev ON SCHEDULE EVERY 1 HOUR DO DELETE FROM t", null, "ev")]
    [InlineData("create definer=`root`@`localhost` event if not exists `db`.`my ev` on schedule every 1 day do select 1", "db", "my ev")]
    [InlineData("CREATE DEFINER='app'@'%' EVENT clinic.purge ON SCHEDULE AT CURRENT_TIMESTAMP + INTERVAL 1 HOUR DO CALL p()", "clinic", "purge")]
    [InlineData("CREATE OR REPLACE EVENT `a``b` ON SCHEDULE EVERY 5 MINUTE DO SET @x = 1", null, "a`b")]
    [InlineData("ALTER EVENT clinic . purge ENABLE", "clinic", "purge")]
    [InlineData("/* comment */ ALTER DEFINER = CURRENT_USER EVENT e1 ON COMPLETION PRESERVE", null, "e1")]
    public void Finds_the_event_a_create_or_alter_event_statement_defines(string sql, string? schema, string name)
    {
        Assert.True(ScheduledEventStatement.TryGetEvent(sql, out var foundSchema, out var foundName));
        Assert.Equal(schema, foundSchema);
        Assert.Equal(name, foundName);
    }

    [Theory]
    [InlineData("DROP EVENT ev")]
    [InlineData("CREATE TABLE event (id INT)")]
    [InlineData("CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW INSERT INTO event VALUES (1)")]
    [InlineData("INSERT INTO t VALUES ('CREATE EVENT x')")]
    public void Other_statements_define_no_event(string sql)
    {
        Assert.False(ScheduledEventStatement.TryGetEvent(sql, out _, out _));
    }
}
