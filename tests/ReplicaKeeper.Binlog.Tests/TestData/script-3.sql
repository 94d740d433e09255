SET GLOBAL binlog_checksum = NONE;
USE clinic;
INSERT INTO patients (name) VALUES ('no checksum');
UPDATE patients SET name='nc2' WHERE name='no checksum';
FLUSH BINARY LOGS;
SET GLOBAL binlog_checksum = CRC32;
