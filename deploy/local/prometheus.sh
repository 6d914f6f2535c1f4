#!/usr/bin/env bash
# Private Prometheus for Mosaic's dashboard and alert rules, bound to 127.0.0.1.
#   prometheus.sh start [HOST:PORT...]|stop|wipe|status|pid
# start scrapes the given Mosaic endpoints (else MOSAIC_PROM_TARGETS, else 127.0.0.1:8080, the demo's)
# every MOSAIC_PROM_SCRAPE_INTERVAL and evaluates the rule file MOSAIC_PROM_RULES (default
# grafana/alerts/mosaic-rules.yaml, copied at each start). A running server is restarted with the new
# configuration. status exits 0 when running, 3 when stopped. See README.md.
#
# Installs Debian's prometheus package (which ships promtool) if missing, without letting the package
# start the system service; the server runs as MOSAIC_RUN_USER with its own port and data directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=env.sh
source "${HERE}/env.sh"

PROM_DIR="${MOSAIC_LOCAL_DIR}/prometheus"
PROM_DATA="${PROM_DIR}/data"
PROM_CONFIG="${PROM_DIR}/prometheus.yml"
PROM_RULES_DIR="${PROM_DIR}/rules"
PROM_LOG="${PROM_DIR}/prometheus.log"
PROM_PID_FILE="${PROM_DIR}/prometheus.pid"
PROM_ADDRESS="${MOSAIC_BIND_ADDRESS}:${MOSAIC_PROM_PORT}"
PROMETHEUS="${MOSAIC_PROMETHEUS:-/usr/bin/prometheus}"
PROMTOOL="${MOSAIC_PROMTOOL:-/usr/bin/promtool}"
: "${MOSAIC_PROM_RULES:=${HERE}/../../grafana/alerts/mosaic-rules.yaml}"

prom_pid() {
  local pid
  pid=$(read_pid_file "${PROM_PID_FILE}")
  if [[ -n ${pid} ]] && proc_alive "${pid}" prometheus "--storage.tsdb.path=${PROM_DATA}"; then
    printf '%s\n' "${pid}"
  fi
}

prom_ready() {
  curl -fsS --max-time 1 "http://${PROM_ADDRESS}/-/ready"
}

# Install prometheus without letting the package start the system service (as mariadb.sh does);
# no Recommends, so that no exporter is installed and started either.
prom_install() {
  local policy=/usr/sbin/policy-rc.d apt_log="${MOSAIC_LOCAL_DIR}/prometheus-apt.log" created=0 rc=0
  [[ -x ${PROMETHEUS} && -x ${PROMTOOL} ]] && return 0
  [[ ${EUID} -eq 0 ]] || die "prometheus is not installed and this is not root: apt-get install --no-install-recommends prometheus"
  log "prometheus: installing prometheus (apt-get; log in ${apt_log})"
  if [[ ! -e ${policy} ]]; then
    printf '#!/bin/sh\n# Temporary, from deploy/local/prometheus.sh: no service starts during install.\nexit 101\n' \
      >"${policy}"
    chmod 755 "${policy}"
    created=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT # also when interrupted
  fi
  {
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends prometheus
  } >"${apt_log}" 2>&1 || rc=$?
  if ((created)); then
    rm -f "${policy}"
    trap - EXIT
  fi
  if ((rc != 0)); then
    show_log_tail "${apt_log}"
    die "prometheus: apt-get install prometheus failed (see ${apt_log})"
  fi
  [[ -x ${PROMETHEUS} && -x ${PROMTOOL} ]] || die "prometheus: ${PROMETHEUS} or ${PROMTOOL} still missing after installing prometheus"
  # Had another script's policy-rc.d gone meanwhile, the package may have started the system service:
  # it was not running before this install, so stop it.
  if [[ -x /etc/init.d/prometheus ]] && /etc/init.d/prometheus status >/dev/null 2>&1; then
    log "prometheus: stopping the system service the package started"
    /etc/init.d/prometheus stop >/dev/null 2>&1 || true
  fi
}

# prometheus.yml: the Mosaic targets, 1 s scrapes and rule evaluations, the copied rule file.
prom_write_config() {
  local targets="" t
  for t in "$@"; do
    [[ ${t} =~ ^[A-Za-z0-9._-]+:[0-9]+$ ]] || die "prometheus: target '${t}' is not HOST:PORT"
    targets+="${targets:+, }'${t}'"
  done
  ensure_dir "${PROM_RULES_DIR}" 755
  rm -f "${PROM_RULES_DIR}"/*.yaml
  if [[ -n ${MOSAIC_PROM_RULES} ]]; then
    [[ -r ${MOSAIC_PROM_RULES} ]] || die "prometheus: rule file ${MOSAIC_PROM_RULES} not found"
    cp "${MOSAIC_PROM_RULES}" "${PROM_RULES_DIR}/mosaic-rules.yaml"
    chmod 644 "${PROM_RULES_DIR}/mosaic-rules.yaml"
  fi
  cat >"${PROM_CONFIG}" <<EOF
# Written by deploy/local/prometheus.sh at each start.
global:
  scrape_interval: ${MOSAIC_PROM_SCRAPE_INTERVAL}
  scrape_timeout: ${MOSAIC_PROM_SCRAPE_INTERVAL}
  evaluation_interval: ${MOSAIC_PROM_SCRAPE_INTERVAL}
rule_files:
  - ${PROM_RULES_DIR}/*.yaml
scrape_configs:
  - job_name: mosaic
    metrics_path: /metrics
    static_configs:
      - targets: [${targets}]
EOF
  chmod 644 "${PROM_CONFIG}"
}

LAUNCHED_PID=""
prom_launched_alive() {
  launched_alive "${LAUNCHED_PID}" prometheus "--storage.tsdb.path=${PROM_DATA}"
}

cmd_start() {
  local t0 pid targets=("$@")
  t0=$(now_ms)
  prepare
  lock_service prometheus
  prom_install
  if ((${#targets[@]} == 0)); then
    IFS=', ' read -r -a targets <<<"${MOSAIC_PROM_TARGETS}"
  fi
  pid=$(prom_pid)
  if [[ -n ${pid} ]]; then
    terminate "${pid}" prometheus 30 prometheus # restarted: the targets or rules may have changed
  fi
  ensure_dir "${PROM_DIR}" 755
  ensure_dir "${PROM_DATA}" 750
  prom_write_config "${targets[@]}"
  "${PROMTOOL}" check config "${PROM_CONFIG}" >"${PROM_DIR}/check-config.log" 2>&1 \
    || { show_log_tail "${PROM_DIR}/check-config.log"; die "prometheus: promtool check config failed"; }
  # shellcheck disable=SC2016 # expanded by the inner sh
  LAUNCHED_PID=$(as_run_user sh -c 'setsid "$@" </dev/null >>"$0" 2>&1 & echo $!' "${PROM_LOG}" \
    "${PROMETHEUS}" \
    --config.file="${PROM_CONFIG}" \
    --storage.tsdb.path="${PROM_DATA}" \
    --storage.tsdb.retention.time=2d \
    --web.listen-address="${PROM_ADDRESS}")
  printf '%s\n' "${LAUNCHED_PID}" >"${PROM_PID_FILE}"
  wait_for "prometheus (${PROM_ADDRESS})" "${MOSAIC_PROM_START_TIMEOUT}" "${PROM_LOG}" prom_launched_alive prom_ready \
    || die "prometheus did not start (log: ${PROM_LOG})"
  log "prometheus: ready in $(elapsed_since "${t0}"), scraping ${targets[*]} every ${MOSAIC_PROM_SCRAPE_INTERVAL}"
  cmd_status
}

cmd_stop() {
  local pid
  prepare
  lock_service prometheus
  pid=$(prom_pid)
  if [[ -n ${pid} ]]; then
    terminate "${pid}" prometheus 30 prometheus
  fi
  rm -f "${PROM_PID_FILE}"
  status_line prometheus stopped "http://${PROM_ADDRESS}"
}

cmd_status() {
  local pid
  pid=$(prom_pid)
  if [[ -n ${pid} ]]; then
    status_line prometheus running "http://${PROM_ADDRESS}" "(scrapes every ${MOSAIC_PROM_SCRAPE_INTERVAL}) pid ${pid}$(suspended_note "${pid}")"
    return 0
  fi
  status_line prometheus stopped "http://${PROM_ADDRESS}"
  return 3
}

cmd_pid() {
  local pid
  pid=$(prom_pid)
  [[ -n ${pid} ]] || { log "prometheus is not running"; return 3; }
  printf '%s\n' "${pid}"
}

# wipe: stop the server and delete its data (the package stays).
cmd_wipe() {
  cmd_stop >/dev/null
  rm -rf "${PROM_DATA}"
  status_line prometheus wiped "http://${PROM_ADDRESS}"
}

action=${1:-}
shift || true
case "${action}" in
  start) cmd_start "$@" ;;
  stop) cmd_stop ;;
  wipe) cmd_wipe ;;
  status) cmd_status ;;
  pid) cmd_pid ;;
  *) printf 'usage: %s {start [HOST:PORT...]|stop|wipe|status|pid}\n' "$0" >&2; exit 2 ;;
esac
