#!/usr/bin/env bash
# Replay rate of `replicakeeper restore --latest` against the stock pipe `mariadb-binlog FILES | mariadb`,
# measured in one run on the same binlog files into the same kind of fresh MariaDB 10.11 instance.
#
# 1. A throwaway MariaDB generator writes ~SIZE_MB of ROW binlog (CRC32, FULL image, FULL metadata,
#    annotate rows, GTIDs) from an OLTP-like workload: per round one 1,000-row bulk INSERT, 200 small
#    two-row INSERT transactions, 100 single-row UPDATE transactions and one DELETE (autocommit each).
#    All its binlog files (the first one starts with an empty GTID list, so restore needs no snapshot)
#    are hard-linked into an archive directory (the archive reader takes plain binlog files in DIR).
# 2. Two fresh target instances, configured identically (binlog on, as a scratch/standby would be).
#    (a) stock:  mariadb-binlog FILES | mariadb        into target A
#    (b) ours:   replicakeeper restore --latest        into target B (over the unix socket, like the client)
#    Run one after the other, never at the same time.
# 3. CHECKSUM TABLE of every table must be equal on A and B; prints bytes, seconds, MB/s, CPU seconds
#    of the client side and of the target server, and the ratio (ours MB/s / stock MB/s; goal >= 2).
#
# Usage: bash benchmarks/replay-rate.sh [SIZE_MB]        (default 1024)
# Env:   RK_CLI            replicakeeper executable (default: build src/ReplicaKeeper.Cli in Release here)
#        RK_BENCH_DIR      work directory (default /tmp/rkrb.$$; needs ~3x SIZE_MB free; removed at the end)
#        RK_BENCH_KEEP=1   keep the work directory (binlogs, logs)
#        RK_TARGET_FLUSH   innodb_flush_log_at_trx_commit of both targets (default 2: restore-time setting;
#                          1 = fully durable, then both sides are mostly fsync-bound)
#        RK_BUFFER_POOL    innodb_buffer_pool_size of every instance (default 512M)
#        RK_BENCH_PROFILE=1  afterwards (not timed): restore once more into a third fresh instance under
#                          `perf record` (JIT symbols via DOTNET_PerfMapEnabled) and print the top symbols
set -euo pipefail

SIZE_MB=${1:-1024}
REPO=$(cd "$(dirname "$0")/.." && pwd)
WORK=${RK_BENCH_DIR:-/tmp/rkrb.$$}
FLUSH=${RK_TARGET_FLUSH:-2}
POOL=${RK_BUFFER_POOL:-512M}
T0=$(date +%s)
log() { printf '[replay-rate %5ss] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

declare -A PIDS=()
start_server() { # name server-id extra-args...
  local name=$1 id=$2; shift 2
  local dir=$WORK/$name
  mkdir -p "$dir"
  mariadb-install-db --no-defaults --datadir="$dir/data" --user=root --auth-root-authentication-method=normal \
    --skip-test-db >"$dir/init.log" 2>&1
  setsid mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/s.sock" --port="$(free_port)" \
    --bind-address=127.0.0.1 --skip-name-resolve --server-id="$id" --log-bin="$dir/data/bin" --binlog-format=ROW \
    --binlog-checksum=CRC32 --binlog-row-image=FULL --binlog-row-metadata=FULL --binlog-annotate-row-events=ON \
    --gtid-strict-mode=ON --innodb-buffer-pool-size="$POOL" --innodb-log-file-size=512M --max-allowed-packet=256M \
    --log-error="$dir/error.log" "$@" >/dev/null 2>&1 &
  PIDS[$name]=$!
  for _ in $(seq 1 120); do
    client "$name" -e 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  log "$name did not start; see $dir/error.log"; exit 1
}
client() { local name=$1; shift; mariadb --no-defaults -S "$WORK/$name/s.sock" -uroot "$@"; }
stop_server() {
  local name=$1
  [ -n "${PIDS[$name]:-}" ] || return 0
  mariadb-admin --no-defaults -S "$WORK/$name/s.sock" -uroot shutdown >/dev/null 2>&1 || kill "${PIDS[$name]}" 2>/dev/null || true
  wait "${PIDS[$name]}" 2>/dev/null || true
  unset "PIDS[$name]"
}
cleanup() {
  for name in "${!PIDS[@]}"; do stop_server "$name"; done
  if [ "${RK_BENCH_KEEP:-0}" = 1 ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# utime+stime of a process in seconds
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
now() { date +%s.%N; }

mkdir -p "$WORK"
if [ -z "${RK_CLI:-}" ]; then
  log "building the CLI (Release)"
  dotnet build -c Release "$REPO/src/ReplicaKeeper.Cli" -v q -nologo >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
  RK_CLI=$REPO/src/ReplicaKeeper.Cli/bin/Release/net10.0/replicakeeper
fi

# ---------------------------------------------------------------- 1. generate the binlog
log "generating ~${SIZE_MB} MB of binlog"
start_server gen 1 --sync-binlog=0 --innodb-flush-log-at-trx-commit=0 --max-binlog-size=256M
# the archive starts at the generator's first binlog (empty GTID list): restore needs no snapshot for it
FIRST=$(client gen -N -e 'SHOW BINARY LOGS' | head -1 | cut -f1)
client gen <<'SQL'
CREATE DATABASE bench;
CREATE TABLE bench.accounts (id BIGINT PRIMARY KEY, owner VARCHAR(64) NOT NULL, balance DECIMAL(14,2) NOT NULL,
  updated DATETIME(6) NOT NULL, note VARCHAR(255), KEY (owner));
CREATE TABLE bench.events (id BIGINT AUTO_INCREMENT PRIMARY KEY, account_id BIGINT NOT NULL,
  kind ENUM('open','pay','refund','close') NOT NULL, amount DECIMAL(12,2), at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  payload TEXT);
SET SESSION sql_log_bin = 0;
DELIMITER //
CREATE PROCEDURE bench.rounds(first INT, n INT)
BEGIN
  DECLARE r INT DEFAULT first;
  DECLARE i INT;
  WHILE r < first + n DO
    INSERT INTO bench.accounts SELECT r * 1000 + seq, CONCAT('owner-', seq % 977), seq * 1.5, NOW(6),
      REPEAT(CHAR(97 + seq % 26), seq % 200) FROM seq_0_to_999;
    SET i = 0;
    WHILE i < 200 DO
      INSERT INTO bench.events (account_id, kind, amount, payload)
        VALUES (r * 1000 + i, 'pay', i * 0.25, REPEAT('p', 40 + i % 60)), (r * 1000 + i + 1, 'refund', -i * 0.25, NULL);
      SET i = i + 1;
    END WHILE;
    SET i = 0;
    WHILE i < 100 DO
      UPDATE bench.accounts SET balance = balance + 1, updated = NOW(6) WHERE id = r * 1000 + (i * 7) % 1000;
      SET i = i + 1;
    END WHILE;
    DELETE FROM bench.events WHERE account_id = r * 1000 + 3;
    SET r = r + 1;
  END WHILE;
END//
DELIMITER ;
SQL
binlog_bytes() { # bytes of the generator's binlog files from $FIRST on
  client gen -N -e 'SHOW BINARY LOGS' | awk -v first="$FIRST" '$1 >= first { s += $2 } END { print s + 0 }'
}
ROUND=0
STEP=20
while [ "$(binlog_bytes)" -lt $(( SIZE_MB * 1024 * 1024 )) ]; do
  client gen -e "CALL bench.rounds($ROUND, $STEP)"
  ROUND=$(( ROUND + STEP ))
done
client gen -e 'FLUSH BINARY LOGS'
FILES=$(client gen -N -e 'SHOW BINARY LOGS' | awk -v first="$FIRST" '$1 >= first { print $1 }')
stop_server gen
mkdir -p "$WORK/archive"
ARCHIVED=()
for f in $FILES; do
  ln "$WORK/gen/data/$f" "$WORK/archive/$f"
  ARCHIVED+=("$WORK/archive/$f")
done
BYTES=$(cat "${ARCHIVED[@]}" | wc -c)
log "binlog: ${#ARCHIVED[@]} file(s), $BYTES bytes, $ROUND rounds (~$(( ROUND * 302 )) transactions)"

# ---------------------------------------------------------------- 2. replay both ways
TARGET_ARGS=(--innodb-flush-log-at-trx-commit="$FLUSH" --sync-binlog=0)
start_server stock 11 "${TARGET_ARGS[@]}"
start_server ours 12 "${TARGET_ARGS[@]}"

log "(a) stock: mariadb-binlog FILES | mariadb"
STOCK_PID=${PIDS[stock]}
SERVER_CPU0=$(cpu_seconds "$STOCK_PID")
TIMEFORMAT='%R %U %S'
START=$(now)
{ time ( mariadb-binlog --no-defaults "${ARCHIVED[@]}" | client stock 2>"$WORK/stock.err" ) ; } 2>"$WORK/stock.time"
STOCK_S=$(awk -v a="$START" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
STOCK_SERVER_CPU=$(awk -v a="$SERVER_CPU0" -v b="$(cpu_seconds "$STOCK_PID")" 'BEGIN { printf "%.1f", b - a }')
read -r _ STOCK_USER STOCK_SYS <"$WORK/stock.time"
[ -s "$WORK/stock.err" ] && { log "stock pipe reported errors:"; head -5 "$WORK/stock.err" >&2; }

log "(b) ours: replicakeeper restore --latest"
OURS_PID=${PIDS[ours]}
SERVER_CPU0=$(cpu_seconds "$OURS_PID")
START=$(now)
{ time ( "$RK_CLI" restore --archive "$WORK/archive" --latest \
    --target "Server=$WORK/ours/s.sock;Protocol=Unix;User ID=root;SslMode=None;Pooling=false" 2>&1 |
    while IFS= read -r line; do printf '%s %s\n' "$(now)" "$line"; done >"$WORK/ours.log" ) ; } 2>"$WORK/ours.time"
OURS_S=$(awk -v a="$START" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
OURS_SERVER_CPU=$(awk -v a="$SERVER_CPU0" -v b="$(cpu_seconds "$OURS_PID")" 'BEGIN { printf "%.1f", b - a }')
read -r _ OURS_USER OURS_SYS <"$WORK/ours.time"
# the plan phase (chain check: every segment read and hashed once) ends where the first progress line appears
PLAN_S=$(awk -v a="$START" '/%/ { printf "%.2f", $1 - a; exit }' "$WORK/ours.log")
tail -n 2 "$WORK/ours.log" | cut -d' ' -f2- >&2

# ---------------------------------------------------------------- 3. same data? report
checksums() { client "$1" -N -e "CHECKSUM TABLE bench.accounts, bench.events"; }
if [ "$(checksums stock)" = "$(checksums ours)" ]; then SAME=yes; else SAME=NO; fi
ROWS=$(client ours -N -e 'SELECT (SELECT COUNT(*) FROM bench.accounts) + (SELECT COUNT(*) FROM bench.events)')

awk -v bytes="$BYTES" -v files="${#ARCHIVED[@]}" -v ss="$STOCK_S" -v os="$OURS_S" -v plan="${PLAN_S:-0}" \
    -v su="$STOCK_USER" -v sy="$STOCK_SYS" -v ou="$OURS_USER" -v oy="$OURS_SYS" -v ssrv="$STOCK_SERVER_CPU" \
    -v osrv="$OURS_SERVER_CPU" -v same="$SAME" -v rows="$ROWS" -v flush="$FLUSH" -v rounds="$ROUND" 'BEGIN {
  mb = bytes / 1e6
  printf "binlog          %d bytes (%.1f MB) in %d file(s), ~%d transactions, %d rows at the end\n", bytes, mb, files, rounds * 302, rows
  printf "targets         fresh MariaDB 10.11, binlog on, innodb_flush_log_at_trx_commit=%s, sync_binlog=0\n", flush
  printf "stock pipe      %8.2f s  %7.2f MB/s   client CPU %.1f s (user %.1f + sys %.1f), server CPU %.1f s\n", ss, mb / ss, su + sy, su, sy, ssrv
  printf "replicakeeper   %8.2f s  %7.2f MB/s   client CPU %.1f s (user %.1f + sys %.1f), server CPU %.1f s; plan (chain check) %.2f s, replay %.2f s\n", os, mb / os, ou + oy, ou, oy, osrv, plan, os - plan
  printf "ratio           %.2f (replicakeeper MB/s / stock MB/s; > 1 = faster; goal >= 2)\n", ss / os
  printf "checksums equal %s\n", same
}'

if [ "${RK_BENCH_PROFILE:-0}" = 1 ]; then
  log "profiling: replicakeeper restore under perf record"
  start_server profiled 13 "${TARGET_ARGS[@]}"
  DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 perf record -F 199 -g -o "$WORK/perf.data" -- \
    "$RK_CLI" restore --archive "$WORK/archive" --latest \
    --target "Server=$WORK/profiled/s.sock;Protocol=Unix;User ID=root;SslMode=None;Pooling=false" >"$WORK/profiled.log" 2>&1
  echo "top symbols of the replicakeeper process (self time; full report: perf report -i $WORK/perf.data):"
  perf report -i "$WORK/perf.data" --no-children -g none --sort dso,sym 2>/dev/null | grep -v -e '^#' -e '^$' | head -25 || true
fi
[ "$SAME" = yes ]
