#!/usr/bin/env bash
# ReplicaKeeper demo on a fresh machine (as root):
#   installs the servers (scripts/install-servers.sh), builds the CLI, starts a throwaway local MariaDB 10.11
#   (same recipe as the test fixtures: ROW binlogs, CRC32, FULL row metadata, GTID strict mode) in a temp dir on
#   its own port, writes some clinic rows, and runs `replicakeeper tail` against it for a few seconds while more
#   rows arrive. Then stops the server and deletes everything it made.
# Usage: bash scripts/demo.sh              env: RK_DEMO_FORMAT=json|text (default json), RK_DEMO_SECONDS (default 6)
set -euo pipefail
cd "$(dirname "$0")/.."

FORMAT=${RK_DEMO_FORMAT:-json}
SECONDS_TO_TAIL=${RK_DEMO_SECONDS:-6}
REPL_USER=rk_repl
REPL_PASSWORD=rk-repl-secret
say() { printf '\n== %s\n' "$*"; }

say "installing MariaDB / MySQL test servers (idempotent)"
bash scripts/install-servers.sh

say "building the replicakeeper CLI (Release)"
dotnet build src/ReplicaKeeper.Cli/ReplicaKeeper.Cli.csproj -c Release --nologo -v quiet -o artifacts/demo-cli >/dev/null
RK=(dotnet artifacts/demo-cli/replicakeeper.dll)

DIR=$(mktemp -d /tmp/rkdemo.XXXXXX)
SERVER_PID=
TAIL_PID=
cleanup() {
  [ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null || true
  if [ -n "$SERVER_PID" ]; then
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT
client() { mariadb --no-defaults -S "$DIR/s.sock" -uroot "$@"; }

say "starting a throwaway MariaDB in $DIR"
install_db() {
  rm -rf "$DIR/data"
  mariadb-install-db --no-defaults --datadir="$DIR/data" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$DIR/install-db.log" 2>&1
}
if ! install_db; then
  echo "mariadb-install-db failed once, retrying:"; grep -E 'ERROR|Error|error' "$DIR/install-db.log" | head -20
  install_db || { grep -E 'ERROR|Error|error' "$DIR/install-db.log" | head -20; head -30 "$DIR/install-db.log"; exit 1; }
fi
for attempt in 1 2 3 4 5; do
  # a random port below the ephemeral range that nothing answers on
  PORT=$((20000 + RANDOM % 12000))
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && continue
  mariadbd --no-defaults --user=root --datadir="$DIR/data" --socket="$DIR/s.sock" \
    --port="$PORT" --bind-address=127.0.0.1 --skip-name-resolve --server-id=$((1000 + RANDOM)) \
    --log-bin="$DIR/data/bin" --binlog-format=ROW --binlog-checksum=CRC32 \
    --binlog-row-image=FULL --binlog-row-metadata=FULL --binlog-annotate-row-events=ON \
    --gtid-strict-mode=ON --innodb-buffer-pool-size=64M --log-error="$DIR/error.log" </dev/null >/dev/null 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 300); do
    client -e 'SELECT 1' >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  client -e 'SELECT 1' >/dev/null 2>&1 && break
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
  grep -q 'Address already in use' "$DIR/error.log" 2>/dev/null || { tail -20 "$DIR/error.log"; exit 1; }
done
[ -n "$SERVER_PID" ] || { echo "could not start MariaDB"; exit 1; }
echo "MariaDB $(client -N -e 'SELECT VERSION()') on 127.0.0.1:$PORT"

# the replication account is created with sql_log_bin=0, so the binlog holds only the demo's own transactions
client -e "SET sql_log_bin=0;
  CREATE USER '$REPL_USER'@'%' IDENTIFIED BY '$REPL_PASSWORD';
  GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '$REPL_USER'@'%';"
SOURCE="Server=127.0.0.1;Port=$PORT;User ID=$REPL_USER;Password=$REPL_PASSWORD"

say "writing clinic rows"
read -r FILE POS < <(client -N -e 'SHOW MASTER STATUS' | awk '{print $1, $2}')
client <<'SQL'
CREATE DATABASE clinic;
CREATE TABLE clinic.patients (id INT PRIMARY KEY, name VARCHAR(60) NOT NULL, born DATE, allergies JSON);
CREATE TABLE clinic.visits (id INT AUTO_INCREMENT PRIMARY KEY, patient_id INT NOT NULL, at DATETIME(3) NOT NULL,
                            reason VARCHAR(100), fee DECIMAL(8,2) UNSIGNED);
INSERT INTO clinic.patients VALUES (1, 'Ada Byron', '1985-12-10', '["penicillin"]'), (2, 'Alan Turing', '1992-06-23', '[]');
INSERT INTO clinic.visits (patient_id, at, reason, fee) VALUES (1, '2026-11-25 09:15:00.250', 'check-up', 45.00);
SQL
client -e "SELECT * FROM clinic.patients; SELECT * FROM clinic.visits;"

if ! "${RK[@]}" --help 2>/dev/null | grep -Eq '^ +tail( |$)'; then
  say "replicakeeper tail is not available yet"
  echo "This build of replicakeeper has no 'tail' command (see 'replicakeeper --help'):"
  "${RK[@]}" --help || true
  echo
  echo "The source is ready; once 'tail' exists this demo runs:"
  echo "  replicakeeper tail --source '$SOURCE' --from $FILE:$POS --format $FORMAT"
  echo "Reference decode of the same binlog by mariadb-binlog:"
  mariadb-binlog --no-defaults -vv --base64-output=decode-rows --start-position="$POS" "$DIR/data/$FILE" | grep -E '^### |GTID' | head -40
  exit 3
fi

say "replicakeeper tail --from $FILE:$POS --format $FORMAT (for ${SECONDS_TO_TAIL} s, while more rows arrive)"
"${RK[@]}" tail --source "$SOURCE" --from "$FILE:$POS" --format "$FORMAT" &
TAIL_PID=$!
sleep 2
client <<'SQL'
INSERT INTO clinic.visits (patient_id, at, reason, fee) VALUES (2, NOW(3), 'flu shot', 20.00);
UPDATE clinic.patients SET allergies = '["penicillin", "latex"]' WHERE id = 1;
DELETE FROM clinic.visits WHERE reason = 'check-up';
SQL
sleep "$((SECONDS_TO_TAIL > 2 ? SECONDS_TO_TAIL - 2 : 1))"
# SIGTERM: a background job of a non-interactive shell ignores SIGINT
kill -TERM "$TAIL_PID" 2>/dev/null || true
set +e
wait "$TAIL_PID"
status=$?
set -e
TAIL_PID=
# 130 / 143: stopped by the demo's own signal
if [ "$status" -ne 0 ] && [ "$status" -ne 130 ] && [ "$status" -ne 143 ]; then
  echo "replicakeeper tail exited with $status"
  exit "$status"
fi
say "done (the server is stopped and $DIR removed on exit)"
