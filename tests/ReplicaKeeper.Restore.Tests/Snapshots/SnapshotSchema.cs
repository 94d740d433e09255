namespace ReplicaKeeper.Restore.Tests.Snapshots;

/// <summary>The story's schema: every column type with edge values (written once, before the first snapshot), orders, a view.</summary>
internal static class SnapshotSchema
{
    public static string Create(bool isMariaDb) => $"""
        CREATE DATABASE shop CHARACTER SET utf8mb4;
        CREATE TABLE shop.types (
          id INT PRIMARY KEY,
          ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT UNSIGNED, ii INT, bi BIGINT, bu BIGINT UNSIGNED,
          de DECIMAL(65,30), de2 DECIMAL(10,2) UNSIGNED, fl FLOAT, fl2 FLOAT(10,4), db DOUBLE,
          bt BIT(13), b1 BIT(1), yr YEAR,
          dt DATE, dtm DATETIME(6), dt0 DATETIME, ts TIMESTAMP(3) NULL DEFAULT NULL, tm TIME(6),
          ch CHAR(10), vc VARCHAR(200), l1 VARCHAR(50) CHARACTER SET latin1, bn BINARY(8), vb VARBINARY(100),
          tx TEXT, bl BLOB, lb LONGBLOB,
          en ENUM('a','b','c d'), st SET('x','y','z'),
          js JSON, g GEOMETRY NULL,
          gen INT AS (ti + 1) {(isMariaDb ? "PERSISTENT" : "STORED")}, genv VARCHAR(220) AS (CONCAT(vc, '!')) VIRTUAL
        );
        CREATE TABLE shop.orders (
          id INT PRIMARY KEY, customer VARCHAR(40) NOT NULL, amount DECIMAL(12,2) NOT NULL,
          placed DATETIME(6) NOT NULL DEFAULT '2026-01-01 00:00:00', note TEXT, KEY (customer)
        );
        CREATE VIEW shop.big_orders AS SELECT id, amount FROM shop.orders WHERE amount > 500;
        """;

    public static string TypesRows() => """
        SET SESSION sql_mode = '';
        INSERT INTO shop.types (id, ti, tu, si, mi, ii, bi, bu, de, de2, fl, fl2, db, bt, b1, yr, dt, dtm, dt0, ts, tm, ch, vc, l1, bn, vb, tx, bl, lb, en, st, js, g) VALUES
        (1, -128, 255, -32768, 16777215, -2147483648, -9223372036854775808, 18446744073709551615,
         '-12345678901234567890123456789012345.123456789012345678901234567891', 99999999.99, 1.2345678, 123456.7891, 0.30000000000000004,
         b'1010101010101', b'1', 1901, '0000-00-00', '9999-12-31 23:59:59.999999', '2024-00-15 00:00:00', '2038-01-19 03:14:07.999', '-838:59:59.000000',
         'ä😀', 'héllo \'quoted\' \\ back\nnew', 'ÿé latin', X'00FF00FF00FF0001', X'', 'long text ü', X'DEADBEEF00', REPEAT(X'AB', 70000),
         'c d', 'x,z', '{"a": [1, 2.5, "x"], "b": null, "c": {"d": true}}', ST_GeomFromText('POINT(1 2)')),
        (2, 127, 0, 32767, 0, 2147483647, 9223372036854775807, 0,
         '0.000000000000000000000000000001', 0, 3.4028235e38, -0.0001, 1.7976931348623157e308,
         b'0', b'0', 2155, '2026-11-25', '1000-01-01 00:00:00.000001', '2026-11-25 14:03:27', '1970-01-01 00:00:01.000', '838:59:59.999999',
         '', ' trailing ', '', X'', X'00', '', X'', X'',
         'a', '', '[]', ST_GeomFromText('LINESTRING(0 0, 1.5 2.25, -3 4)')),
        (3, 0, 1, 0, 1, 0, 0, 1, 0, 0.01, -1.17549435e-38, 0, 2.2250738585072014e-308, b'1111111111111', NULL, 0, NULL, NULL, NULL, NULL, '-00:00:00.000001',
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0.1, NULL, -0.1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'null', NULL);
        """;
}
