USE clinic;
SET SESSION binlog_format = STATEMENT;
INSERT INTO patients (name) VALUES (CONCAT('r', RAND() < 2));
INSERT INTO patients (name) VALUES (CONCAT('n', @undefined_var));
SET SESSION binlog_format = ROW;
INSERT INTO patients (name) VALUES ('last');
FLUSH BINARY LOGS;
