#!/usr/bin/env bash
# Private PostgreSQL 15 cluster for Mosaic (logical decoding enabled), bound to 127.0.0.1.
#   postgres.sh start|stop|wipe|status|pid
# status exits 0 when running, 3 when stopped. See README.md.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

PG_DIR="${MOSAIC_LOCAL_DIR}/postgres"
PG_DATA="${PG_DIR}/data"
PG_SOCKET_DIR="${PG_DIR}/run"
PG_LOG="${PG_DIR}/postgres.log"
# port and data directory: a stop never takes another directory's cluster on the same port for its orphans
PG_CLUSTER_NAME="mosaic-local-${MOSAIC_PG_PORT}-$(printf '%s' "${MOSAIC_LOCAL_DIR}" | cksum | cut -d' ' -f1)"
PG_ADDRESS="${MOSAIC_BIND_ADDRESS}:${MOSAIC_PG_PORT}"

pg_bin() {
  printf '%s/%s\n' "${MOSAIC_PG_BIN}" "$1"
}

# postmaster pid if the postmaster is alive, nothing otherwise.
pg_pid() {
  local pid
  pid=$(read_pid_file "${PG_DATA}/postmaster.pid")
  if [[ -n ${pid} ]] && proc_alive "${pid}" postgres "-D ${PG_DATA}"; then
    printf '%s\n' "${pid}"
  fi
}

pg_alive() {
  [[ -n $(pg_pid) ]]
}

pg_ready() {
  "$(pg_bin pg_isready)" -q -h "${MOSAIC_BIND_ADDRESS}" -p "${MOSAIC_PG_PORT}" -U "${MOSAIC_PG_USER}" -d postgres -t 1
}

# Processes left behind by a postmaster that was killed with -9 (backends, walsenders...).
# They are recognised by the cluster name in their process title and by their owner.
pg_orphans() {
  pgrep -u "${MOSAIC_RUN_USER}" -f "^postgres: ${PG_CLUSTER_NAME}: " || true
}

pg_check_binaries() {
  [[ -x $(pg_bin postgres) ]] \
    || die "PostgreSQL 15 binaries not found in ${MOSAIC_PG_BIN} (apt-get install postgresql-15, or set MOSAIC_PG_BIN)"
}

# initdb into a temporary directory, then rename: an interrupted init never leaves a half cluster.
pg_init() {
  local tmp="${PG_DIR}/data.initdb" pwfile="${PG_DIR}/.pwfile"
  log "postgres: initialising a new cluster in ${PG_DATA}"
  rm -rf "${tmp}"
  ensure_dir "${tmp}" 700
  (umask 077 && printf '%s\n' "${MOSAIC_PG_PASSWORD}" >"${pwfile}")
  [[ ${EUID} -ne 0 ]] || chown "${MOSAIC_RUN_USER}" "${pwfile}"
  if ! as_run_user "$(pg_bin initdb)" -D "${tmp}" -U "${MOSAIC_PG_USER}" --pwfile="${pwfile}" \
    --auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-instructions \
    >"${PG_DIR}/initdb.log" 2>&1; then
    rm -f "${pwfile}"
    show_log_tail "${PG_DIR}/initdb.log"
    die "postgres: initdb failed (see ${PG_DIR}/initdb.log)"
  fi
  rm -f "${pwfile}"
  # Only TCP on 127.0.0.1 (normal and replication connections) and the private socket.
  cat >"${tmp}/pg_hba.conf" <<'EOF'
# Mosaic local cluster: password (SCRAM) authentication everywhere.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  scram-sha-256
local   replication  all                  scram-sha-256
host    all          all   127.0.0.1/32   scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
EOF
  printf "\n# Mosaic local settings (rewritten at every start)\ninclude_if_exists = 'mosaic.conf'\n" \
    >>"${tmp}/postgresql.conf"
  [[ ${EUID} -ne 0 ]] || chown "${MOSAIC_RUN_USER}:$(run_user_group)" "${tmp}/pg_hba.conf" "${tmp}/postgresql.conf"
  mv "${tmp}" "${PG_DATA}"
}

# Settings applied at every start (so a changed port takes effect on an existing cluster).
pg_write_settings() {
  local conf="${PG_DATA}/mosaic.conf"
  cat >"${conf}" <<EOF
# Written by deploy/local/postgres.sh at every start: edit the script, not this file.
listen_addresses = '${MOSAIC_BIND_ADDRESS}'
port = ${MOSAIC_PG_PORT}
unix_socket_directories = '${PG_SOCKET_DIR}'
cluster_name = '${PG_CLUSTER_NAME}'
max_connections = 200
shared_buffers = 256MB
wal_level = logical
max_replication_slots = 32
max_wal_senders = 32
# throwaway test cluster: durability traded for speed
fsync = off
full_page_writes = off
# ...but not synchronous_commit, PostgreSQL's default: logical decoding reads only flushed WAL, so with it off
# a committed change waits for the WAL writer (wal_writer_delay, 200 ms) before any replication client can
# see it, which added up to 200 ms to every freshness probe (docs/bench/analysis.md). With fsync off a
# synchronous commit costs a write(), not a disk flush.
synchronous_commit = on
EOF
  [[ ${EUID} -ne 0 ]] || chown "${MOSAIC_RUN_USER}:$(run_user_group)" "${conf}"
}

# A postmaster killed with -9 leaves postmaster.pid (and maybe children still attached to the
# shared memory, which would make the next start fail). Clean both.
pg_cleanup_stale() {
  local orphans pid
  if [[ -e ${PG_DATA}/postmaster.pid ]] && ! pg_alive; then
    log "postgres: removing stale ${PG_DATA}/postmaster.pid"
    rm -f "${PG_DATA}/postmaster.pid"
  fi
  orphans=$(pg_orphans)
  if [[ -n ${orphans} ]]; then
    log "postgres: terminating processes left by a dead postmaster: $(echo "${orphans}" | tr '\n' ' ')"
    for pid in ${orphans}; do
      kill -CONT "${pid}" 2>/dev/null || true
      kill -KILL "${pid}" 2>/dev/null || true
    done
    for pid in ${orphans}; do
      wait_gone "${pid}" postgres 10 || die "postgres: process ${pid} did not exit"
    done
  fi
  rm -f "${PG_SOCKET_DIR}/.s.PGSQL.${MOSAIC_PG_PORT}.lock" 2>/dev/null || true
}

cmd_start() {
  local t0 pid
  t0=$(now_ms)
  prepare
  lock_service postgres
  pg_check_binaries
  pid=$(pg_pid)
  if [[ -n ${pid} ]]; then
    [[ $(proc_state "${pid}") != T ]] \
      || die "postgres (pid ${pid}) is suspended (SIGSTOP): send SIGCONT (kill -CONT ${pid}) or stop it"
  else
    ensure_dir "${PG_DIR}" 755
    ensure_dir "${PG_SOCKET_DIR}" 755
    [[ -f ${PG_DATA}/PG_VERSION ]] || pg_init
    pg_write_settings
    pg_cleanup_stale
    as_run_user "$(pg_bin pg_ctl)" start -D "${PG_DATA}" -l "${PG_LOG}" -W -s \
      || { show_log_tail "${PG_LOG}"; die "postgres: pg_ctl start failed (see ${PG_LOG})"; }
  fi
  wait_for "postgres" "${MOSAIC_PG_START_TIMEOUT}" "${PG_LOG}" pg_alive_or_starting pg_ready \
    || die "postgres did not start (log: ${PG_LOG})"
  log "postgres: ready in $(elapsed_since "${t0}")"
  cmd_status
}

# During the first moments pg_ctl has not yet written postmaster.pid: do not call that a death.
PG_START_GRACE_MS=0
pg_alive_or_starting() {
  if pg_alive; then
    return 0
  fi
  if ((PG_START_GRACE_MS == 0)); then
    PG_START_GRACE_MS=$(($(now_ms) + 3000))
  fi
  (($(now_ms) < PG_START_GRACE_MS))
}

cmd_stop() {
  local pid
  prepare
  lock_service postgres
  pid=$(pg_pid)
  if [[ -n ${pid} ]]; then
    kill -CONT "${pid}" 2>/dev/null || true # a SIGSTOPped postmaster cannot shut down
    if ! as_run_user "$(pg_bin pg_ctl)" stop -D "${PG_DATA}" -m fast -w -t 60 -s; then
      log "postgres: pg_ctl stop failed, sending SIGKILL to ${pid}"
      kill -KILL "${pid}" 2>/dev/null || true
      wait_gone "${pid}" postgres 10 || die "postgres (pid ${pid}) survived SIGKILL"
    fi
  fi
  pg_cleanup_stale
  status_line postgres stopped "${PG_ADDRESS}"
}

cmd_status() {
  local pid
  pid=$(pg_pid)
  if [[ -n ${pid} ]]; then
    status_line postgres running "${PG_ADDRESS}" \
      "(user ${MOSAIC_PG_USER} / password ${MOSAIC_PG_PASSWORD}) pid ${pid}$(suspended_note "${pid}")"
    return 0
  fi
  status_line postgres stopped "${PG_ADDRESS}"
  return 3
}

cmd_pid() {
  local pid
  pid=$(pg_pid)
  [[ -n ${pid} ]] || { log "postgres is not running"; return 3; }
  printf '%s\n' "${pid}"
}

# wipe: stop the server and delete its data, so that the next start initialises it from nothing
# (installed packages and unpacked distributions stay).
cmd_wipe() {
  cmd_stop >/dev/null
  rm -rf "${PG_DATA}"
  status_line postgres wiped "${PG_ADDRESS}"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  wipe) cmd_wipe ;;
  status) cmd_status ;;
  pid) cmd_pid ;;
  *) usage_exit "$0" ;;
esac
