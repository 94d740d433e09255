using ReplicaKeeper.Standby.Schema;
using Xunit;

namespace ReplicaKeeper.Standby.Tests.Triggers;

public sealed class TriggerGuardTests
{
    private const string Open = "IF @replicakeeper_applier IS NULL THEN ";
    private const string Close = "; END IF";

    /// <summary>Real-world CREATE TRIGGER texts (MySQL, MariaDB, SHOW CREATE TRIGGER, binlog, mysqldump) and the exact guarded text.</summary>
    public static TheoryData<string, string> Statements => new()
    {
        // the shortest form
        {
            "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1",
            "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW " + Open + "SET NEW.a = 1" + Close
        },
        // SHOW CREATE TRIGGER / binlog query event text of MySQL 9.7 and MariaDB 10.11
        {
            "CREATE DEFINER=`root`@`localhost` TRIGGER `audit_ins` AFTER INSERT ON `orders` FOR EACH ROW INSERT INTO audit (order_id, what) VALUES (NEW.id, 'insert')",
            "CREATE DEFINER=`root`@`localhost` TRIGGER `audit_ins` AFTER INSERT ON `orders` FOR EACH ROW " + Open + "INSERT INTO audit (order_id, what) VALUES (NEW.id, 'insert')" + Close
        },
        // a compound body stays a compound statement inside the IF; a trailing delimiter is dropped
        {
            "CREATE TRIGGER upd BEFORE UPDATE ON t FOR EACH ROW BEGIN\n  IF NEW.a < 0 THEN SET NEW.a = 0; END IF;\n  SET NEW.changed = NOW();\nEND;",
            "CREATE TRIGGER upd BEFORE UPDATE ON t FOR EACH ROW " + Open + "BEGIN\n  IF NEW.a < 0 THEN SET NEW.a = 0; END IF;\n  SET NEW.changed = NOW();\nEND" + Close + ";"
        },
        // a labelled block
        {
            "CREATE TRIGGER del AFTER DELETE ON t FOR EACH ROW body: BEGIN IF OLD.id = 0 THEN LEAVE body; END IF; DELETE FROM c WHERE p = OLD.id; END body",
            "CREATE TRIGGER del AFTER DELETE ON t FOR EACH ROW " + Open + "body: BEGIN IF OLD.id = 0 THEN LEAVE body; END IF; DELETE FROM c WHERE p = OLD.id; END body" + Close
        },
        // MariaDB: OR REPLACE, DEFINER with a host pattern, IF NOT EXISTS is MySQL and MariaDB
        {
            "CREATE OR REPLACE DEFINER=`app`@`%` TRIGGER IF NOT EXISTS `shop`.`t1` BEFORE INSERT ON `shop`.`items` FOR EACH ROW SET NEW.sku = UPPER(NEW.sku)",
            "CREATE OR REPLACE DEFINER=`app`@`%` TRIGGER IF NOT EXISTS `shop`.`t1` BEFORE INSERT ON `shop`.`items` FOR EACH ROW " + Open + "SET NEW.sku = UPPER(NEW.sku)" + Close
        },
        // DEFINER in its other spellings
        {
            "create definer = 'root'@'127.0.0.1' trigger t after update on x for each row update y set n = n + 1",
            "create definer = 'root'@'127.0.0.1' trigger t after update on x for each row " + Open + "update y set n = n + 1" + Close
        },
        {
            "CREATE DEFINER = CURRENT_USER() TRIGGER t AFTER UPDATE ON x FOR EACH ROW DO 1",
            "CREATE DEFINER = CURRENT_USER() TRIGGER t AFTER UPDATE ON x FOR EACH ROW " + Open + "DO 1" + Close
        },
        {
            "CREATE DEFINER=root@localhost TRIGGER t AFTER UPDATE ON x FOR EACH ROW DO 1",
            "CREATE DEFINER=root@localhost TRIGGER t AFTER UPDATE ON x FOR EACH ROW " + Open + "DO 1" + Close
        },
        // FOLLOWS / PRECEDES stay before the guard
        {
            "CREATE TRIGGER t2 BEFORE INSERT ON x FOR EACH ROW FOLLOWS t1 SET NEW.b = NEW.a * 2",
            "CREATE TRIGGER t2 BEFORE INSERT ON x FOR EACH ROW FOLLOWS t1 " + Open + "SET NEW.b = NEW.a * 2" + Close
        },
        {
            "CREATE TRIGGER `t0` BEFORE INSERT ON `x` FOR EACH ROW PRECEDES `t1` BEGIN SET NEW.b = 0; END",
            "CREATE TRIGGER `t0` BEFORE INSERT ON `x` FOR EACH ROW PRECEDES `t1` " + Open + "BEGIN SET NEW.b = 0; END" + Close
        },
        // "FOR EACH ROW" inside names, strings and comments before the real one
        {
            "CREATE TRIGGER `for each row` /* FOR EACH ROW */ AFTER INSERT ON `FOR EACH ROW` -- FOR EACH ROW\n FOR EACH ROW INSERT INTO log VALUES ('FOR EACH ROW')",
            "CREATE TRIGGER `for each row` /* FOR EACH ROW */ AFTER INSERT ON `FOR EACH ROW` -- FOR EACH ROW\n FOR EACH ROW " + Open + "INSERT INTO log VALUES ('FOR EACH ROW')" + Close
        },
        // comments between the header and the body, and after the body
        {
            "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW # audit\n  INSERT INTO a VALUES (NEW.id) -- done\n",
            "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW # audit\n  " + Open + "INSERT INTO a VALUES (NEW.id)" + Close + " -- done\n"
        },
        // strings with escaped quotes and a semicolon, a backquoted name with a doubled backquote
        {
            "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW INSERT INTO `we``ird` VALUES ('it''s; \\'fine\\'', \"a;b\")",
            "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW " + Open + "INSERT INTO `we``ird` VALUES ('it''s; \\'fine\\'', \"a;b\")" + Close
        },
        // mysqldump: executable comments around the statement parts; the guard goes inside them
        {
            "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `ins` AFTER INSERT ON `x` FOR EACH ROW INSERT INTO a VALUES (NEW.id) */;;",
            "/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER `ins` AFTER INSERT ON `x` FOR EACH ROW " + Open + "INSERT INTO a VALUES (NEW.id)" + Close + " */;;"
        },
        // leading whitespace and a comment before CREATE; a multi-line statement with CRLF
        {
            "  /* restored */\r\nCREATE TRIGGER t\r\nAFTER DELETE ON x\r\nFOR EACH ROW\r\nDELETE FROM y WHERE id = OLD.id\r\n",
            "  /* restored */\r\nCREATE TRIGGER t\r\nAFTER DELETE ON x\r\nFOR EACH ROW\r\n" + Open + "DELETE FROM y WHERE id = OLD.id" + Close + "\r\n"
        },
        // a body that is itself an IF, but not the guard
        {
            "CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW IF NEW.a IS NULL THEN SET NEW.a = OLD.a; END IF",
            "CREATE TRIGGER t BEFORE UPDATE ON x FOR EACH ROW " + Open + "IF NEW.a IS NULL THEN SET NEW.a = OLD.a; END IF" + Close
        },
        // a body testing another user variable
        {
            "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW IF @replicakeeper_applier_x IS NULL THEN SET NEW.a = 1; END IF",
            "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW " + Open + "IF @replicakeeper_applier_x IS NULL THEN SET NEW.a = 1; END IF" + Close
        },
        // non-ASCII names and values
        {
            "CREATE TRIGGER `prüfung` BEFORE INSERT ON `patienten` FOR EACH ROW SET NEW.notiz = CONCAT('Prüfung: ', NEW.notiz)",
            "CREATE TRIGGER `prüfung` BEFORE INSERT ON `patienten` FOR EACH ROW " + Open + "SET NEW.notiz = CONCAT('Prüfung: ', NEW.notiz)" + Close
        },
        // a body using a cursor, handler and loop (MySQL and MariaDB stored-program syntax)
        {
            "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW BEGIN DECLARE done INT DEFAULT 0; DECLARE v INT; DECLARE c CURSOR FOR SELECT id FROM y; DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1; OPEN c; l: LOOP FETCH c INTO v; IF done THEN LEAVE l; END IF; INSERT INTO z VALUES (v); END LOOP; CLOSE c; END",
            "CREATE TRIGGER t AFTER INSERT ON x FOR EACH ROW " + Open + "BEGIN DECLARE done INT DEFAULT 0; DECLARE v INT; DECLARE c CURSOR FOR SELECT id FROM y; DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1; OPEN c; l: LOOP FETCH c INTO v; IF done THEN LEAVE l; END IF; INSERT INTO z VALUES (v); END LOOP; CLOSE c; END" + Close
        },
        // MariaDB executable comment marker
        {
            "/*M!100100 CREATE OR REPLACE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1 */",
            "/*M!100100 CREATE OR REPLACE TRIGGER t BEFORE INSERT ON x FOR EACH ROW " + Open + "SET NEW.a = 1" + Close + " */"
        },
    };

    [Theory]
    [MemberData(nameof(Statements))]
    public void Guard_wraps_exactly_the_body(string statement, string expected)
    {
        Assert.True(TriggerGuard.IsCreateTrigger(statement));
        Assert.False(TriggerGuard.IsGuarded(statement));

        var guarded = TriggerGuard.Guard(statement);

        Assert.Equal(expected, guarded);
        Assert.True(TriggerGuard.IsGuarded(guarded));
        Assert.True(TriggerGuard.IsCreateTrigger(guarded));
    }

    [Theory]
    [MemberData(nameof(Statements))]
    public void Guard_is_idempotent(string statement, string expected)
    {
        _ = expected;
        var once = TriggerGuard.Guard(statement);
        Assert.Equal(once, TriggerGuard.Guard(once));
    }

    [Theory]
    [InlineData("CREATE TABLE trigger_log (id INT PRIMARY KEY)")]
    [InlineData("CREATE PROCEDURE p() BEGIN CREATE TABLE t (a INT); END")]
    [InlineData("DROP TRIGGER IF EXISTS t")]
    [InlineData("INSERT INTO x VALUES ('CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1')")]
    [InlineData("/* CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1 */ SELECT 1")]
    [InlineData("CREATE VIEW v AS SELECT 'FOR EACH ROW' AS `trigger`")]
    [InlineData("ALTER TABLE x ADD COLUMN `trigger` INT")]
    [InlineData("")]
    [InlineData("   ")]
    public void Statements_that_are_not_CREATE_TRIGGER_come_back_unchanged(string statement)
    {
        Assert.False(TriggerGuard.IsCreateTrigger(statement));
        Assert.Same(statement, TriggerGuard.Guard(statement));
    }

    [Theory]
    [InlineData("CREATE TRIGGER `audit_ins` AFTER INSERT ON x", "`audit_ins`")]
    [InlineData("CREATE TRIGGER shop.audit_ins AFTER INSERT ON x FOR EACH ROW", "shop.audit_ins")]
    [InlineData("CREATE TRIGGER IF NOT EXISTS audit_ins AFTER INSERT ON x FOR EACH ROW ;", "audit_ins")]
    [InlineData("CREATE TRIGGER audit_ins AFTER INSERT ON x FOR EACH ROW FOLLOWS other", "audit_ins")]
    public void A_trigger_without_a_body_is_a_format_error_naming_the_trigger(string statement, string name)
    {
        var error = Assert.Throws<FormatException>(() => TriggerGuard.Guard(statement));
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
        Assert.False(TriggerGuard.IsGuarded(statement));
    }

    [Theory]
    [InlineData("IF @replicakeeper_applier IS NULL THEN INSERT INTO a VALUES (NEW.id); END IF", true)]
    [InlineData("if @REPLICAKEEPER_APPLIER is null then begin set NEW.a = 1; end; end if", true)]
    [InlineData("IF @`replicakeeper_applier` IS NULL THEN SET NEW.a = 1; END IF", true)]
    // MySQL's ACTION_STATEMENT shows string literals unescaped: not valid SQL, still read as guarded
    [InlineData("IF @replicakeeper_applier IS NULL THEN INSERT INTO audit VALUES (NEW.id, 'it's'); END IF", true)]
    [InlineData("IF @replicakeeper_applier IS NULL THEN INSERT INTO audit VALUES (NEW.id, 'it's'); SEND IF", false)]
    [InlineData("INSERT INTO a VALUES (NEW.id)", false)]
    [InlineData("IF @other IS NULL THEN SET NEW.a = 1; END IF", false)]
    [InlineData("IF @@replicakeeper_applier IS NULL THEN SET NEW.a = 1; END IF", false)]
    [InlineData("IF @replicakeeper_applier IS NOT NULL THEN SET NEW.a = 1; END IF", false)]
    [InlineData("BEGIN IF @replicakeeper_applier IS NULL THEN SET NEW.a = 1; END IF; END", false)]
    public void IsGuarded_reads_a_body_alone_as_information_schema_shows_it(string body, bool guarded)
    {
        Assert.Equal(guarded, TriggerGuard.IsGuarded(body));
    }

    [Fact]
    public void The_session_marker_sets_the_variable_the_guard_tests()
    {
        Assert.Equal("SET " + TriggerGuard.SessionVariable + " = 1", TriggerGuard.MarkSessionSql);
        Assert.Contains(TriggerGuard.SessionVariable + " IS NULL", TriggerGuard.Guard("CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW SET NEW.a = 1"), StringComparison.Ordinal);
    }
}
