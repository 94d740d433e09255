#!/usr/bin/env bash
# Archive lag (issue 6): commit on the master -> fsync in the archive, p50/p95/p99/max, under
# >= 2,000 small transactions per second from several connections. Starts MariaDB 10.11 and
# MySQL 9.7 on loopback (scripts/install-servers.sh installs them), runs the LiveArchiver in the
# same process and matches commits and fsyncs by GTID.
#   benchmarks/archive-lag.sh [--flavor mariadb|mysql|both] [--seconds 20] [--rate 2500] [--connections 16] [--durable-master]
# Run it on a quiet machine: the figures are only as good as the machine is idle.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release benchmarks/ReplicaKeeper.Benchmarks -v quiet -nologo
exec dotnet benchmarks/ReplicaKeeper.Benchmarks/bin/Release/net10.0/ReplicaKeeper.Benchmarks.dll --archive-lag "$@"
