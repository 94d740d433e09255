#!/usr/bin/env bash
# Example: promote the standby after the master died (run from a monitoring hook or by hand).
#
#   scripts/failover-example.sh            # real promotion
#   DRY_RUN=1 scripts/failover-example.sh  # gates only, nothing changes
#   FORCE=1 scripts/failover-example.sh    # planned switchover of a healthy master
# Env: MASTER_HOST/PORT, STANDBY_HOST/PORT, ARCHIVE_DIR, REPORT, MASTER_PASSWORD_FILE, STANDBY_PASSWORD_FILE,
#      FENCE_COMMAND, REPLICAKEEPER (the command to run, default: replicakeeper on PATH)
#
# Exit codes of `replicakeeper promote`: 0 promoted (dry run: gates pass), 2 bad arguments,
# 3 refused by a gate (master alive, standby lagging, errant transactions), 4 fencing failed,
# 5 a step failed. On 3 and 4 nothing was made writable; read the printed reason.
set -euo pipefail

MASTER_HOST=${MASTER_HOST:-127.0.0.1}
MASTER_PORT=${MASTER_PORT:-3306}
STANDBY_HOST=${STANDBY_HOST:-127.0.0.1}
STANDBY_PORT=${STANDBY_PORT:-3307}
ARCHIVE_DIR=${ARCHIVE_DIR:-/var/lib/replicakeeper/archive}
REPORT=${REPORT:-/var/log/replicakeeper/promotion-$(date -u +%Y%m%dT%H%M%SZ).md}
mkdir -p "$(dirname "$REPORT")"
# the replicakeeper command (in the docker image: "dotnet /opt/replicakeeper/replicakeeper.dll")
read -r -a RK <<< "${REPLICAKEEPER:-replicakeeper}"
# Passwords stay in files that only their owner may read (chmod 600; promote refuses others): promote reads them
# itself, so they never appear in its process arguments. (Alternatively: REPLICAKEEPER_MASTER_PASSWORD and
# REPLICAKEEPER_STANDBY_PASSWORD in promote's environment.)
MASTER_PASSWORD_FILE=${MASTER_PASSWORD_FILE:-/run/secrets/replication_password}
STANDBY_PASSWORD_FILE=${STANDBY_PASSWORD_FILE:-/run/secrets/standby_password}

# If the old master cannot be reached to set it read-only, this runs instead. It gets
# RK_MASTER_HOST and RK_MASTER_PORT. Example: block the master's port on this host's firewall.
# Replace with whatever makes the old master unreachable for clients in your setup
# (power it off via IPMI, move the virtual IP, stop its container...).
FENCE_COMMAND=${FENCE_COMMAND:-'nft add rule inet filter output ip daddr $RK_MASTER_HOST tcp dport $RK_MASTER_PORT drop'}

args=(
  promote
  --standby "Server=$STANDBY_HOST;Port=$STANDBY_PORT;User ID=replicakeeper"
  --standby-password-file "$STANDBY_PASSWORD_FILE"
  --master "Server=$MASTER_HOST;Port=$MASTER_PORT;User ID=replicakeeper"
  --master-password-file "$MASTER_PASSWORD_FILE"
  --archive "$ARCHIVE_DIR"
  --probes 3 --probe-interval 500
  --fence-command "$FENCE_COMMAND"
  --report "$REPORT"
)
if [[ -n "${DRY_RUN:-}" ]]; then args+=(--dry-run); fi
# Planned switchover with a healthy master: FORCE=1 fences it read-only first (and kills its
# client sessions), waits for the standby to apply its last transactions, then promotes.
if [[ -n "${FORCE:-}" ]]; then args+=(--force --kill-connections); fi

set +e
"${RK[@]}" "${args[@]}"
rc=$?
set -e
case $rc in
  0) echo "promotion finished; report: $REPORT. Point the application at $STANDBY_HOST:$STANDBY_PORT." ;;
  3) echo "promotion refused by a gate (see above); nothing was changed." >&2 ;;
  4) echo "fencing failed: the standby was NOT made writable. Fence the old master by hand, then rerun with FORCE=1." >&2 ;;
  *) echo "promotion failed (exit $rc); see the report $REPORT" >&2 ;;
esac
exit $rc
