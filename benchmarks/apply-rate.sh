#!/usr/bin/env bash
# Apply rate (issue 7): our EventApplier (via StandbyApplier) against the server's own replica, same flavour, same
# workload, measured in one run. Starts a master and two empty replicas on loopback (scripts/install-servers.sh
# installs the servers), writes the workload (~5 row changes per transaction: single-row INSERT/UPDATE/DELETE by
# primary key, UPDATE by a secondary key) while both replicas are stopped, then times
#   (a) the native replica catching up: MariaDB CHANGE MASTER TO ... MASTER_USE_GTID=slave_pos with
#       slave_parallel_threads=0 + START SLAVE; MySQL CHANGE REPLICATION SOURCE TO ... SOURCE_AUTO_POSITION=1 with
#       replica_parallel_workers=1 + START REPLICA (waits with MASTER_GTID_WAIT / WAIT_FOR_EXECUTED_GTID_SET);
#   (b) our applier catching up the other replica from the same start, once per group-commit size (--group) and
#       statement mode (--statements: batched = a group's statements in one round trip, prepared = one prepared
#       statement per round trip),
#       the replica emptied in between.
# Prints transactions/s of each and the ratio to the native replica; CHECKSUM TABLE of each result must equal the
# master's (exit code 1 otherwise).
#   benchmarks/apply-rate.sh [--flavor mariadb|mysql|both] [--rows 200000] [--connections 4] [--group 1,100] [--statements batched,prepared]
# Run it on a quiet machine: the figures are only as good as the machine is idle.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release benchmarks/ReplicaKeeper.Benchmarks -v quiet -nologo
exec dotnet benchmarks/ReplicaKeeper.Benchmarks/bin/Release/net10.0/ReplicaKeeper.Benchmarks.dll --apply-rate "$@"
