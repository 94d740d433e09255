#!/usr/bin/env bash
# ReplicaKeeper's main job on a fresh machine (Debian bookworm, as root, .NET 10 SDK):
#   1. installs the database servers with scripts/install-servers.sh when MariaDB is missing;
#   2. builds the replicakeeper CLI (Release) into artifacts/demo-cli;
#   3. runs `replicakeeper demo`: three throwaway MariaDB 10.11 servers (master, standby, scratch) on free
#      loopback ports, ReplicaKeeper archiving the master and keeping the standby in step, clinic traffic, the
#      accidental DELETE of patient 4711, `find` naming that transaction, a restore of everything except it into
#      the scratch server, and checks that the patient is back and every later write is kept.
#      The servers and their files are removed at the end, also on failure or Ctrl+C.
# Usage: bash scripts/demo.sh [--keep]      (--keep: leave the demo's directory for inspection)
# Exit code: the demo's (0 = every check passed, 1 = a check failed, 130 = interrupted).
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf '\n== %s\n' "$*"; }

if [ ! -x /usr/sbin/mariadbd ] || ! command -v mariadb-install-db >/dev/null 2>&1; then
  say "installing the database servers (scripts/install-servers.sh)"
  bash scripts/install-servers.sh
fi

say "building the replicakeeper CLI (Release)"
if ! build=$(dotnet build src/ReplicaKeeper.Cli/ReplicaKeeper.Cli.csproj -c Release --nologo -v quiet -o artifacts/demo-cli 2>&1); then
  printf '%s\n' "$build" | tail -40
  echo "the build failed"
  exit 1
fi

say "replicakeeper demo"
# exec: Ctrl+C goes straight to replicakeeper, which stops its servers and removes its files
exec dotnet artifacts/demo-cli/replicakeeper.dll demo "$@"
