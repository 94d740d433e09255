#!/usr/bin/env bash
# Generates the reference binlog for the decode benchmarks on a real throwaway MySQL 9.7 server
# (the sid chroot from scripts/install-servers.sh): a 12-column table (ints, varchar, datetime(6),
# decimal, text, json), 1,000,000 inserts, 500,000 updates and 200,000 deletes in statements of
# 1,000 rows, ROW format, FULL image, FULL row metadata, CRC32. About 270 MB in one binlog file.
# The binlog is not committed; benchmarks read it from $REFERENCE_BINLOG.
#
# Usage: bash benchmarks/make-reference-binlog.sh [output-path]
#   output-path  default: ${REFERENCE_BINLOG:-/var/tmp/replicakeeper/reference.binlog}
# Env:   RK_MYSQL_CHROOT  chroot path (default /var/cache/replicakeeper/mysql-sid)
#        RK_FLAVOR        mysql (default) or mariadb (host MariaDB 10.11, v1 rows events, JSON as text)
set -euo pipefail

OUT=${1:-${REFERENCE_BINLOG:-/var/tmp/replicakeeper/reference.binlog}}
ROOT=${RK_MYSQL_CHROOT:-/var/cache/replicakeeper/mysql-sid}
FLAVOR=${RK_FLAVOR:-mysql}
PORT=$(( 20000 + RANDOM % 20000 ))
START=$(date +%s)
log() { printf '[make-reference-binlog %4ss] %s\n' "$(( $(date +%s) - START ))" "$*" >&2; }

mkdir -p "$(dirname "$OUT")"
if [ "$FLAVOR" = mysql ]; then
  [ -x "$ROOT/usr/sbin/mysqld" ] || { log "no MySQL chroot at $ROOT: run scripts/install-servers.sh"; exit 1; }
  INNER=/tmp/rkref.$$
  DIR=$ROOT$INNER
  mkdir -p "$DIR"
  run_server() { chroot "$ROOT" "$@"; }
  client() { chroot "$ROOT" mysql --no-defaults -S "$INNER/s.sock" -uroot "$@"; }
  log "initializing MySQL datadir"
  chroot "$ROOT" mysqld --no-defaults --user=root --initialize-insecure --datadir="$INNER/data" >"$DIR/init.log" 2>&1
  chroot "$ROOT" setsid mysqld --no-defaults --user=root --datadir="$INNER/data" --socket="$INNER/s.sock" \
    --port="$PORT" --bind-address=127.0.0.1 --server-id=1 --log-bin=bin --gtid-mode=ON \
    --enforce-gtid-consistency=ON --binlog-format=ROW --binlog-row-image=FULL --binlog-row-metadata=FULL \
    --binlog-checksum=CRC32 --max-binlog-size=1073741824 --sync-binlog=0 --innodb-flush-log-at-trx-commit=0 \
    --innodb-buffer-pool-size=512M --innodb-redo-log-capacity=1073741824 --secure-file-priv=NULL --mysqlx=OFF \
    --log-error="$INNER/error.log" >/dev/null 2>&1 &
  JSON_TYPE=JSON
else
  DIR=$(mktemp -d /tmp/rkref.XXXXXX)
  INNER=$DIR
  client() { mariadb --no-defaults -S "$DIR/s.sock" -uroot "$@"; }
  log "initializing MariaDB datadir"
  mariadb-install-db --no-defaults --datadir="$DIR/data" --user=root --auth-root-authentication-method=normal \
    --skip-test-db >"$DIR/init.log" 2>&1
  setsid mariadbd --no-defaults --user=root --datadir="$DIR/data" --socket="$DIR/s.sock" --port="$PORT" \
    --bind-address=127.0.0.1 --skip-name-resolve --server-id=1 --log-bin="$DIR/data/bin" --binlog-format=ROW \
    --binlog-checksum=CRC32 --binlog-row-image=FULL --binlog-row-metadata=FULL --max-binlog-size=1073741824 \
    --sync-binlog=0 --innodb-flush-log-at-trx-commit=0 --innodb-buffer-pool-size=512M \
    --log-error="$DIR/error.log" >/dev/null 2>&1 &
  JSON_TYPE=JSON
fi

cleanup() {
  client -e "SHUTDOWN" >/dev/null 2>&1 || true
  sleep 2
  rm -rf "$DIR"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  if client -e 'SELECT 1' >/dev/null 2>&1; then break; fi
  sleep 0.5
done
client -e 'SELECT 1' >/dev/null || { log "server did not start"; cat "$DIR/error.log" >&2 || true; exit 1; }
log "server up on 127.0.0.1:$PORT"

client <<SQL
CREATE DATABASE bench;
USE bench;
CREATE TABLE digits (d INT NOT NULL PRIMARY KEY);
INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9);
CREATE TABLE seq (n INT NOT NULL PRIMARY KEY);
INSERT INTO seq SELECT a.d + 10 * b.d + 100 * c.d FROM digits a, digits b, digits c;
CREATE TABLE orders (
  id BIGINT NOT NULL PRIMARY KEY,
  customer_id INT NOT NULL,
  quantity INT UNSIGNED NOT NULL,
  sku BIGINT NOT NULL,
  status TINYINT NOT NULL,
  region SMALLINT NOT NULL,
  customer_name VARCHAR(64) NOT NULL,
  email VARCHAR(128) NOT NULL,
  created_at DATETIME(6) NOT NULL,
  amount DECIMAL(12,2) NOT NULL,
  note TEXT,
  attributes $JSON_TYPE
) DEFAULT CHARSET=utf8mb4;
FLUSH BINARY LOGS;
SQL
FIRST=$(client -N -e "SHOW BINARY LOGS" | tail -1 | awk '{print $1}')
log "binlog file: $FIRST; 1,000,000 inserts"

gen() {
  for batch in $(seq 0 999); do
    base=$(( batch * 1000 ))
    echo "INSERT INTO orders SELECT $base + n + 1, (n * 7919 + $batch) % 100000, n % 50 + 1, 1000000000000 + n * 37,
      n % 5, n % 300, CONCAT('cust ', n, '-', $batch), CONCAT('c', n, '.', $batch, '@ex.com'),
      TIMESTAMP('2024-01-01 00:00:00') + INTERVAL ($base + n) SECOND + INTERVAL n MICROSECOND,
      ROUND(n * 1.37 + $batch, 2), CONCAT('order ', $base + n),
      JSON_OBJECT('p', n % 3, 'gift', n % 2 = 0)
      FROM seq;"
  done
}
gen | client bench
log "500,000 updates"
for batch in $(seq 0 499); do
  lo=$(( batch * 2000 + 1 )); hi=$(( lo + 999 ))
  echo "UPDATE orders SET status = (status + 1) % 5, amount = amount + 1.05, quantity = quantity + 1 WHERE id BETWEEN $lo AND $hi;"
done | client bench
log "200,000 deletes"
for batch in $(seq 0 199); do
  lo=$(( batch * 5000 + 1001 )); hi=$(( lo + 999 ))
  echo "DELETE FROM orders WHERE id BETWEEN $lo AND $hi;"
done | client bench
client -e "FLUSH BINARY LOGS"
if [ "$FLAVOR" = mysql ]; then SRC=$DIR/data/$FIRST; else SRC=$DIR/data/$FIRST; fi
cp "$SRC" "$OUT"
log "wrote $OUT ($(stat -c %s "$OUT") bytes)"
