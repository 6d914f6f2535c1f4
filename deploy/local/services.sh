#!/usr/bin/env bash
# Start/stop/inspect the Mosaic local services (PostgreSQL, MariaDB, Elasticsearch).
#   services.sh {start|stop|wipe|status|restart} [postgres|mariadb|elasticsearch|all]   (default: all)
# wipe stops the servers and deletes their data: the next start initialises them from nothing.
# Prints one status line per service on stdout; progress and errors go to stderr.
# Exit status: 0 on success (status: all running), 3 for status when one is stopped,
# 1 when a start/stop failed, 2 on a usage error.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=env.sh
source "${HERE}/env.sh"

ALL_SERVICES=(postgres mariadb elasticsearch)

usage() {
  printf 'usage: %s {start|stop|wipe|status|restart} [postgres|mariadb|elasticsearch|all]\n' "$0" >&2
  exit 2
}

# status of the selected services, one line each; 0 if all are running, 3 otherwise
do_status() {
  local svc rc=0
  for svc in "$@"; do
    "${HERE}/${svc}.sh" status || rc=3
  done
  return "${rc}"
}

do_stop() {
  local svc rc=0
  for svc in "$@"; do
    "${HERE}/${svc}.sh" stop >/dev/null || { log "${svc}: stop failed"; rc=1; }
    if [[ "${svc}" == elasticsearch ]]; then
      # the secured node SecuredClusterIT starts beside the plain one, if it runs
      MOSAIC_ES_SECURITY=tls "${HERE}/elasticsearch.sh" stop >/dev/null || { log "elasticsearch (secured): stop failed"; rc=1; }
    fi
  done
  return "${rc}"
}

# Elasticsearch (the slow one) starts in the background while the databases start.
do_start() {
  local svc rc=0 es_pid="" es_err="" t0
  t0=$(now_ms)
  prepare # create the run user and base directory once, before anything runs in parallel
  for svc in "$@"; do
    if [[ ${svc} == elasticsearch && $# -gt 1 ]]; then
      es_err="${MOSAIC_LOCAL_DIR}/.services-es-start.log"
      "${HERE}/elasticsearch.sh" start >/dev/null 2>"${es_err}" &
      es_pid=$!
    fi
  done
  for svc in "$@"; do
    [[ ${svc} == elasticsearch && -n ${es_pid} ]] && continue
    "${HERE}/${svc}.sh" start >/dev/null || { log "${svc}: start failed"; rc=1; }
  done
  if [[ -n ${es_pid} ]]; then
    if ! wait "${es_pid}"; then
      log "elasticsearch: start failed"
      rc=1
    fi
    cat "${es_err}" >&2
    rm -f "${es_err}"
  fi
  log "services started in $(elapsed_since "${t0}")"
  do_status "$@" || true
  return "${rc}"
}

action=${1:-}
target=${2:-all}
case "${target}" in
  all) services=("${ALL_SERVICES[@]}") ;;
  postgres | mariadb | elasticsearch) services=("${target}") ;;
  *) usage ;;
esac

case "${action}" in
  start) do_start "${services[@]}" ;;
  stop)
    rc=0
    do_stop "${services[@]}" || rc=1
    do_status "${services[@]}" || true
    exit "${rc}"
    ;;
  wipe)
    prepare
    rc=0
    for svc in "${services[@]}"; do
      "${HERE}/${svc}.sh" wipe || { log "${svc}: wipe failed"; rc=1; }
    done
    exit "${rc}"
    ;;
  restart)
    do_stop "${services[@]}" || exit 1
    do_start "${services[@]}"
    ;;
  status) do_status "${services[@]}" ;;
  *) usage ;;
esac
