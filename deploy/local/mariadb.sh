#!/usr/bin/env bash
# Private MariaDB server for Mosaic (row-based binlog for Debezium), bound to 127.0.0.1.
#   mariadb.sh start|stop|wipe|status|pid
# status exits 0 when running, 3 when stopped. See README.md.
#
# mariadbd runs as MOSAIC_RUN_USER (runuser, no --user switch), with --no-defaults so the
# system configuration in /etc/mysql is ignored, and with its own port, socket, pid file and
# datadir: a system MariaDB, if any, is left alone.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

MDB_DIR="${MOSAIC_LOCAL_DIR}/mariadb"
MDB_DATA="${MDB_DIR}/data"
MDB_TMP="${MDB_DIR}/tmp"
MDB_SOCKET="${MDB_DIR}/mariadb.sock"
MDB_PID_FILE="${MDB_DIR}/mariadb.pid"
MDB_LOG="${MDB_DIR}/mariadb.log"
MDB_ADDRESS="${MOSAIC_BIND_ADDRESS}:${MOSAIC_MARIADB_PORT}"
MARIADBD="${MOSAIC_MARIADBD:-/usr/sbin/mariadbd}"

mdb_pid() {
  local pid
  pid=$(read_pid_file "${MDB_PID_FILE}")
  if [[ -n ${pid} ]] && proc_alive "${pid}" mariadbd "--datadir=${MDB_DATA}"; then
    printf '%s\n' "${pid}"
  fi
}

# Over the private socket, as the invoking OS user (unix_socket authentication).
mdb_ping_socket() {
  mariadb-admin --no-defaults --socket="${MDB_SOCKET}" -u "$(id -un)" --connect-timeout=1 ping
}

# Over TCP. (Before the users exist the server refuses 127.0.0.1 with "host not allowed",
# which mariadb-admin reports as a failure: so this is checked after mdb_create_users.)
mdb_ping_tcp() {
  mariadb-admin --no-defaults --protocol=TCP -h "${MOSAIC_BIND_ADDRESS}" -P "${MOSAIC_MARIADB_PORT}" \
    -u mosaic -pmosaic --connect-timeout=1 ping
}

# Install mariadb-server without letting the package start the system service.
mdb_install() {
  local policy=/usr/sbin/policy-rc.d apt_log="${MOSAIC_LOCAL_DIR}/mariadb-apt.log" created=0 rc=0
  [[ -x ${MARIADBD} ]] && command -v mariadb-install-db >/dev/null && return 0
  [[ ${EUID} -eq 0 ]] || die "mariadbd is not installed and this is not root: apt-get install mariadb-server"
  log "mariadb: installing mariadb-server (apt-get; log in ${apt_log})"
  if [[ ! -e ${policy} ]]; then
    printf '#!/bin/sh\n# Temporary, from deploy/local/mariadb.sh: no service starts during install.\nexit 101\n' \
      >"${policy}"
    chmod 755 "${policy}"
    created=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT # also when interrupted
  fi
  {
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q mariadb-server
  } >"${apt_log}" 2>&1 || rc=$?
  if ((created)); then
    rm -f "${policy}"
    trap - EXIT
  fi
  if ((rc != 0)); then
    show_log_tail "${apt_log}"
    die "mariadb: apt-get install mariadb-server failed (see ${apt_log})"
  fi
  [[ -x ${MARIADBD} ]] || die "mariadb: ${MARIADBD} still missing after installing mariadb-server"
}

# mariadb-install-db into a temporary directory, then rename.
# The initial socket-authenticated account is the invoking OS user (root, or the non-root
# caller), so that this script can create the real users over the private socket.
mdb_init() {
  local tmp="${MDB_DIR}/data.install-db"
  log "mariadb: initialising a new datadir in ${MDB_DATA}"
  rm -rf "${tmp}"
  ensure_dir "${tmp}" 750
  if ! as_run_user mariadb-install-db --no-defaults --datadir="${tmp}" --skip-test-db \
    --auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" \
    >"${MDB_DIR}/install-db.log" 2>&1; then
    show_log_tail "${MDB_DIR}/install-db.log"
    die "mariadb: mariadb-install-db failed (see ${MDB_DIR}/install-db.log)"
  fi
  mv "${tmp}" "${MDB_DATA}"
}

# Leftovers of a server killed with -9: pid file, socket and its lock file.
mdb_cleanup_stale() {
  if [[ -z $(mdb_pid) ]]; then
    rm -f "${MDB_PID_FILE}" "${MDB_SOCKET}" "${MDB_SOCKET}.lock"
  fi
}

# Users: idempotent, and kept out of the binlog (sql_log_bin=0) so CDC never sees them.
mdb_create_users() {
  local host sql="SET SESSION sql_log_bin = 0;"
  for host in 127.0.0.1 localhost %; do
    sql+="
CREATE USER IF NOT EXISTS 'mosaic'@'${host}' IDENTIFIED BY 'mosaic';
CREATE USER IF NOT EXISTS 'debezium'@'${host}' IDENTIFIED BY 'debezium';
ALTER USER 'debezium'@'${host}' IDENTIFIED BY 'debezium';
GRANT ALL PRIVILEGES ON *.* TO 'mosaic'@'${host}' WITH GRANT OPTION;
GRANT SELECT, RELOAD, SHOW DATABASES, LOCK TABLES, REPLICATION SLAVE, BINLOG MONITOR
  ON *.* TO 'debezium'@'${host}';"
    if [[ ${host} == localhost ]]; then
      # keep socket authentication too, in case the run user is itself called mosaic
      sql+="
ALTER USER 'mosaic'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD('mosaic') OR unix_socket;"
    else
      sql+="
ALTER USER 'mosaic'@'${host}' IDENTIFIED BY 'mosaic';"
    fi
  done
  mariadb --no-defaults --socket="${MDB_SOCKET}" -u "$(id -un)" --batch -e "${sql}" \
    || die "mariadb: could not create the users mosaic and debezium (see ${MDB_LOG})"
}

LAUNCHED_PID=""
mdb_launched_alive() {
  launched_alive "${LAUNCHED_PID}" mariadbd "--datadir=${MDB_DATA}"
}

cmd_start() {
  local t0 pid
  t0=$(now_ms)
  prepare
  lock_service mariadb
  mdb_install
  pid=$(mdb_pid)
  if [[ -n ${pid} ]]; then
    [[ $(proc_state "${pid}") != T ]] \
      || die "mariadb (pid ${pid}) is suspended (SIGSTOP): send SIGCONT (kill -CONT ${pid}) or stop it"
    LAUNCHED_PID=${pid}
  else
    ensure_dir "${MDB_DIR}" 755
    ensure_dir "${MDB_TMP}" 700
    [[ -d ${MDB_DATA}/mysql ]] || mdb_init
    mdb_cleanup_stale
    # MOSAIC_MARIADB_TLS_DIR: TLS with ca.crt, node.crt and node.key of that directory (such as the secured
    # Elasticsearch node's certs); clients may still connect without TLS
    local tls=()
    if [[ -n ${MOSAIC_MARIADB_TLS_DIR:-} ]]; then
      tls=(--ssl-ca="${MOSAIC_MARIADB_TLS_DIR}/ca.crt" --ssl-cert="${MOSAIC_MARIADB_TLS_DIR}/node.crt"
        --ssl-key="${MOSAIC_MARIADB_TLS_DIR}/node.key")
    fi
    # setsid: own session, so the server survives the caller's terminal/process group.
    # `echo $!` gives the pid of mariadbd itself (setsid execs in place in a background job).
    # shellcheck disable=SC2016 # expanded by the inner sh
    LAUNCHED_PID=$(as_run_user sh -c 'setsid "$@" </dev/null >>"$0" 2>&1 & echo $!' "${MDB_LOG}" \
      "${MARIADBD}" --no-defaults \
      --basedir=/usr \
      --datadir="${MDB_DATA}" \
      --tmpdir="${MDB_TMP}" \
      --bind-address="${MOSAIC_BIND_ADDRESS}" \
      --port="${MOSAIC_MARIADB_PORT}" \
      --socket="${MDB_SOCKET}" \
      --pid-file="${MDB_PID_FILE}" \
      --log-error="${MDB_LOG}" \
      --skip-name-resolve \
      --max-connections=200 \
      --character-set-server=utf8mb4 \
      --collation-server=utf8mb4_unicode_ci \
      --log-bin=mysql-bin \
      --binlog-format=ROW \
      --binlog-row-image=FULL \
      --server-id=184054 \
      --expire-logs-days=1 \
      --sync-binlog=0 \
      --innodb-flush-log-at-trx-commit=2 \
      --innodb-buffer-pool-size=256M "${tls[@]}")
  fi
  wait_for "mariadb (socket)" "${MOSAIC_MARIADB_START_TIMEOUT}" "${MDB_LOG}" mdb_launched_alive \
    mdb_ping_socket || die "mariadb did not start (log: ${MDB_LOG})"
  mdb_create_users # idempotent: (re)applied at every start
  wait_for "mariadb (TCP ${MDB_ADDRESS})" 10 "${MDB_LOG}" mdb_launched_alive mdb_ping_tcp \
    || die "mariadb does not answer on ${MDB_ADDRESS} (log: ${MDB_LOG})"
  log "mariadb: ready in $(elapsed_since "${t0}")"
  cmd_status
}

cmd_stop() {
  local pid
  prepare
  lock_service mariadb
  pid=$(mdb_pid)
  if [[ -n ${pid} ]]; then
    kill -CONT "${pid}" 2>/dev/null || true # a SIGSTOPped server cannot shut down
    timeout 20 mariadb-admin --no-defaults --socket="${MDB_SOCKET}" -u "$(id -un)" shutdown \
      >/dev/null 2>&1 || log "mariadb: mariadb-admin shutdown failed, falling back to SIGTERM"
    if ! wait_gone "${pid}" mariadbd "${MOSAIC_MARIADB_STOP_TIMEOUT}"; then
      terminate "${pid}" mariadbd "${MOSAIC_MARIADB_STOP_TIMEOUT}" mariadb
    fi
  fi
  mdb_cleanup_stale
  status_line mariadb stopped "${MDB_ADDRESS}"
}

cmd_status() {
  local pid
  pid=$(mdb_pid)
  if [[ -n ${pid} ]]; then
    status_line mariadb running "${MDB_ADDRESS}" \
      "(users mosaic / mosaic (admin), debezium / debezium) pid ${pid}$(suspended_note "${pid}")"
    return 0
  fi
  status_line mariadb stopped "${MDB_ADDRESS}"
  return 3
}

cmd_pid() {
  local pid
  pid=$(mdb_pid)
  [[ -n ${pid} ]] || { log "mariadb is not running"; return 3; }
  printf '%s\n' "${pid}"
}

# wipe: stop the server and delete its data, so that the next start initialises it from nothing
# (installed packages and unpacked distributions stay).
cmd_wipe() {
  cmd_stop >/dev/null
  rm -rf "${MDB_DATA}"
  status_line mariadb wiped "${MDB_ADDRESS}"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  wipe) cmd_wipe ;;
  status) cmd_status ;;
  pid) cmd_pid ;;
  *) usage_exit "$0" ;;
esac
