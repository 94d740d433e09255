#!/usr/bin/env bash
# Installs what ReplicaKeeper's tests and demo need, idempotently (a second run changes nothing):
#   - MariaDB 10.11 server + client from Debian packages. The distribution's own service is stopped and kept
#     from starting: tests and the demo start their own throwaway instances and never depend on it;
#   - a Debian sid chroot with MySQL 9.7 (mysql-server-core, mysql-client-core) at a fixed cache path, built
#     once per machine (~1 min) and reused when present;
#   - openssl and zstd (reference tools for tests), debootstrap (for the chroot);
#   - npm s3rver (S3-compatible store for off-site archive tests) when npm exists.
# Usage: bash scripts/install-servers.sh            (as root, on Debian bookworm)
# Env:   RK_MYSQL_CHROOT  chroot path (default /var/cache/replicakeeper/mysql-sid)
set -euo pipefail

ROOT=${RK_MYSQL_CHROOT:-/var/cache/replicakeeper/mysql-sid}
export DEBIAN_FRONTEND=noninteractive
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
LOGDIR=$(mktemp -d /tmp/rk-install.XXXXXX)
log() { printf '[install-servers] %s\n' "$*" >&2; }
fail() { log "FAILED: $*"; exit 1; }

# run a command up to 3 times (registries can hiccup); on failure show the tail of its output
retry() {
  local name=$1; shift
  local attempt
  for attempt in 1 2 3; do
    if "$@" >"$LOGDIR/$name.log" 2>&1; then return 0; fi
    log "$name failed (attempt $attempt/3)"
    sleep $((attempt * 5))
  done
  tail -30 "$LOGDIR/$name.log" >&2
  return 1
}

[ "$(id -u)" -eq 0 ] || fail "run as root (apt-get and chroot need it)"

need_pkgs=()
[ -x /usr/sbin/mariadbd ] && [ -x /usr/bin/mariadb-install-db ] || need_pkgs+=(mariadb-server)
[ -x /usr/bin/mariadb ] && [ -x /usr/bin/mariadb-binlog ] || need_pkgs+=(mariadb-client)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
command -v zstd >/dev/null 2>&1 || need_pkgs+=(zstd)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "apt-get install ${need_pkgs[*]}"
  # keep the package's service from starting (and grabbing port 3306) during the install
  policy=/usr/sbin/policy-rc.d
  [ -e "$policy" ] && cp -a "$policy" "$LOGDIR/policy-rc.d.saved"
  printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"
  trap 'rm -f /usr/sbin/policy-rc.d; [ -e "$LOGDIR/policy-rc.d.saved" ] && cp -a "$LOGDIR/policy-rc.d.saved" /usr/sbin/policy-rc.d; true' EXIT
  retry apt-update apt-get update || fail "apt-get update"
  retry apt-install apt-get install -y --no-install-recommends "${need_pkgs[@]}" || fail "apt-get install ${need_pkgs[*]}"
fi
# never depend on (or collide with) the distribution's own service
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl stop mariadb >/dev/null 2>&1 || true
  systemctl disable mariadb >/dev/null 2>&1 || true
fi
service mariadb stop >/dev/null 2>&1 || true
log "MariaDB: $(/usr/sbin/mariadbd --version 2>/dev/null | head -1)"

if [ -x "$ROOT/usr/sbin/mysqld" ] && [ -f "$ROOT/.replicakeeper-ready" ]; then
  log "MySQL chroot present at $ROOT: $(chroot "$ROOT" mysqld --version 2>/dev/null)"
else
  log "building the MySQL sid chroot at $ROOT (once per machine, ~1 min)"
  rm -rf "$ROOT.partial"
  mkdir -p "$(dirname "$ROOT")"
  # the Debian mirror this machine's apt already uses (deb822 or one-line format)
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '$1=="deb"{for(i=2;i<=NF;i++) if ($i ~ /^https?:/) {print $i; exit}}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
  log "debootstrap sid from $MIRROR"
  retry debootstrap bash -c "rm -rf '$ROOT.partial' && debootstrap --variant=minbase sid '$ROOT.partial' '$MIRROR'" \
    || fail "debootstrap (log: $LOGDIR/debootstrap.log)"
  echo 'Acquire::Check-Valid-Until "false";' > "$ROOT.partial/etc/apt/apt.conf.d/99nocheck"
  retry chroot-apt chroot "$ROOT.partial" bash -c 'apt-get update && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y --no-install-recommends mysql-server-core mysql-client-core' \
    || fail "apt-get install mysql-server-core in the chroot (log: $LOGDIR/chroot-apt.log)"
  chroot "$ROOT.partial" apt-get clean
  mkdir -p "$ROOT.partial/rk"
  touch "$ROOT.partial/.replicakeeper-ready"
  rm -rf "$ROOT"
  mv "$ROOT.partial" "$ROOT"
  log "MySQL: $(chroot "$ROOT" mysqld --version)"
fi
mkdir -p "$ROOT/rk"

# s3rver for off-site archive tests (optional: only where npm exists)
if command -v npm >/dev/null 2>&1; then
  S3DIR=/var/cache/replicakeeper/s3rver
  if [ ! -x "$S3DIR/node_modules/.bin/s3rver" ]; then
    mkdir -p "$S3DIR"
    (cd "$S3DIR" && retry npm-s3rver npm install --no-audit --no-fund s3rver@3.7.1) \
      || log "warning: npm s3rver did not install (off-site archive tests will say so)"
  fi
fi
rm -rf "$LOGDIR"
log "done"
