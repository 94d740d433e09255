-- Runs once when the standby's data directory is created (docker-entrypoint-initdb.d).
-- The entrypoint runs this before the server restarts with standby.cnf (read-only).
CREATE USER 'replicakeeper'@'%' IDENTIFIED BY 'change-me-standby';
GRANT ALL PRIVILEGES ON *.* TO 'replicakeeper'@'%' WITH GRANT OPTION;
-- read-only from now on, across restarts, until `replicakeeper promote` makes it writable
-- read_only, not super_read_only: the applier (CONNECTION_ADMIN via ALL PRIVILEGES) must keep
-- writing; ordinary users cannot. Give application accounts no CONNECTION_ADMIN / SUPER.
SET PERSIST read_only = ON;
