#!/usr/bin/env bash
# Installs what ReplicaKeeper's tests and demo need, idempotently:
#   - MariaDB 10.11 server + client from Debian packages (the system service is stopped: tests
#     start their own instances and never depend on it);
#   - a Debian sid chroot with MySQL 9.7 (mysql-server-core, mysql-client-core) at a fixed cache
#     path, built once per machine and reused when present;
#   - npm s3rver (S3-compatible store for off-site archive tests) when npm exists.
# Usage: scripts/install-servers.sh            (as root)
# Env:   RK_MYSQL_CHROOT  chroot path (default /var/cache/replicakeeper/mysql-sid)
set -euo pipefail

ROOT=${RK_MYSQL_CHROOT:-/var/cache/replicakeeper/mysql-sid}
export DEBIAN_FRONTEND=noninteractive
log() { printf '[install-servers] %s\n' "$*" >&2; }

need_pkgs=()
command -v mariadbd >/dev/null 2>&1 || need_pkgs+=(mariadb-server mariadb-client)
command -v mariadb-binlog >/dev/null 2>&1 || need_pkgs+=(mariadb-client)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
command -v openssl >/dev/null 2>&1 || need_pkgs+=(openssl)
command -v zstd >/dev/null 2>&1 || need_pkgs+=(zstd)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "apt-get install ${need_pkgs[*]}"
  # keep the package's service from grabbing port 3306 during install where possible
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
# never depend on (or collide with) the distribution's own service
if command -v systemctl >/dev/null 2>&1; then systemctl stop mariadb >/dev/null 2>&1 || true; fi
service mariadb stop >/dev/null 2>&1 || true
log "MariaDB: $(mariadbd --version 2>/dev/null | head -1)"

if [ -x "$ROOT/usr/sbin/mysqld" ] && [ -f "$ROOT/.replicakeeper-ready" ]; then
  log "MySQL chroot present at $ROOT: $(chroot "$ROOT" mysqld --version 2>/dev/null)"
else
  log "building MySQL sid chroot at $ROOT (once per machine)"
  rm -rf "$ROOT.partial"
  mkdir -p "$(dirname "$ROOT")"
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
  [ -n "$MIRROR" ] || MIRROR=http://deb.debian.org/debian
  debootstrap --variant=minbase sid "$ROOT.partial" "$MIRROR" >/tmp/rk-debootstrap.log 2>&1 \
    || { tail -30 /tmp/rk-debootstrap.log >&2; exit 1; }
  echo 'Acquire::Check-Valid-Until "false";' > "$ROOT.partial/etc/apt/apt.conf.d/99nocheck"
  chroot "$ROOT.partial" bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends mysql-server-core mysql-client-core' >/tmp/rk-chroot-apt.log 2>&1 \
    || { tail -30 /tmp/rk-chroot-apt.log >&2; exit 1; }
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
    (cd "$S3DIR" && npm install --silent --no-audit --no-fund s3rver@3.7.1 >/dev/null 2>&1) \
      || log "warning: npm s3rver did not install (off-site tests will report it)"
  fi
fi
log "done"
