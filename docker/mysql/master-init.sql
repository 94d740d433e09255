-- Runs once when the master's data directory is created (docker-entrypoint-initdb.d).
CREATE USER 'replicakeeper'@'%' IDENTIFIED BY 'change-me-replication';
-- archiving (REPLICATION SLAVE/CLIENT) and seeding the standby with `standby init` (SELECT, SHOW VIEW)
GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, SHOW VIEW, RELOAD, BACKUP_ADMIN ON *.* TO 'replicakeeper'@'%';
-- for `promote --force` (fencing a reachable master read-only)
GRANT SYSTEM_VARIABLES_ADMIN, CONNECTION_ADMIN ON *.* TO 'replicakeeper'@'%';
CREATE DATABASE IF NOT EXISTS clinic;
