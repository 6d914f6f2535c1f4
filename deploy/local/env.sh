# shellcheck shell=bash
# Common settings and helpers for the Mosaic local services scripts.
# Sourced by postgres.sh, mariadb.sh, elasticsearch.sh and services.sh; not meant to be run.
#
# Every default below can be overridden by exporting the variable before calling a script.

# --- settings ------------------------------------------------------------------------------

: "${MOSAIC_LOCAL_DIR:=/var/tmp/mosaic-local}"   # all data, logs, pid files, unpacked dists

: "${MOSAIC_PG_PORT:=15432}"
: "${MOSAIC_PG_BIN:=/usr/lib/postgresql/15/bin}"
: "${MOSAIC_PG_USER:=postgres}"                   # superuser created by initdb
: "${MOSAIC_PG_PASSWORD:=postgres}"               # only used when the cluster is initialised
: "${MOSAIC_PG_START_TIMEOUT:=60}"

: "${MOSAIC_MARIADB_PORT:=13306}"
: "${MOSAIC_MARIADB_START_TIMEOUT:=60}"
: "${MOSAIC_MARIADB_STOP_TIMEOUT:=30}"

: "${MOSAIC_ES_VERSION:=8.19.21}"
: "${MOSAIC_ES_PORT:=19200}"
: "${MOSAIC_ES_TRANSPORT_PORT:=19300}"
: "${MOSAIC_ES_SECURED_PORT:=19230}"            # the secured node (MOSAIC_ES_SECURITY=tls elasticsearch.sh)
: "${MOSAIC_ES_SECURED_TRANSPORT_PORT:=19330}"
: "${MOSAIC_ES_ELASTIC_PASSWORD:=elastic-local}"  # its elastic superuser, set when its data is initialised
: "${MOSAIC_ES_MOSAIC_PASSWORD:=Role-Secret-7q2}" # its user mosaic, with Mosaic's least-privilege role
: "${MOSAIC_ES_HEAP:=512m}"
: "${MOSAIC_ES_START_TIMEOUT:=120}"
: "${MOSAIC_ES_STOP_TIMEOUT:=30}"
: "${MOSAIC_ES_JAVA_HOME:=}"                      # empty: pick a JDK from /usr/lib/jvm
: "${MOSAIC_M2_REPO:=${HOME:-/root}/.m2/repository}"

: "${MOSAIC_PROM_PORT:=19090}"                   # prometheus.sh: only the dashboard/alert test and by hand
: "${MOSAIC_PROM_TARGETS:=127.0.0.1:8080}"        # Mosaic endpoints it scrapes (HOST:PORT, comma-separated)
: "${MOSAIC_PROM_SCRAPE_INTERVAL:=1s}"
: "${MOSAIC_PROM_START_TIMEOUT:=60}"

: "${MOSAIC_RUN_USER:=mosaic}"                    # non-root OS user running the servers

MOSAIC_BIND_ADDRESS=127.0.0.1                     # loopback only, on purpose: not overridable

# A non-root caller runs everything as itself.
if [[ ${EUID} -ne 0 ]]; then
  MOSAIC_RUN_USER="$(id -un)"
fi

export MOSAIC_LOCAL_DIR MOSAIC_PG_PORT MOSAIC_PG_BIN MOSAIC_PG_USER MOSAIC_PG_PASSWORD \
  MOSAIC_PG_START_TIMEOUT MOSAIC_MARIADB_PORT MOSAIC_MARIADB_START_TIMEOUT \
  MOSAIC_MARIADB_STOP_TIMEOUT MOSAIC_ES_VERSION MOSAIC_ES_PORT MOSAIC_ES_TRANSPORT_PORT \
  MOSAIC_ES_SECURED_PORT MOSAIC_ES_SECURED_TRANSPORT_PORT MOSAIC_ES_ELASTIC_PASSWORD MOSAIC_ES_MOSAIC_PASSWORD \
  MOSAIC_ES_HEAP MOSAIC_ES_START_TIMEOUT MOSAIC_ES_STOP_TIMEOUT MOSAIC_ES_JAVA_HOME \
  MOSAIC_M2_REPO MOSAIC_RUN_USER MOSAIC_BIND_ADDRESS MOSAIC_PROM_PORT MOSAIC_PROM_TARGETS \
  MOSAIC_PROM_SCRAPE_INTERVAL MOSAIC_PROM_START_TIMEOUT

# --- messages ----------------------------------------------------------------------------

# log MSG...: progress message on stderr (stdout is kept for the one-line results).
log() {
  printf '[mosaic-local] %s\n' "$*" >&2
}

# die MSG...: error message on stderr, exit 1.
die() {
  printf '[mosaic-local] ERROR: %s\n' "$*" >&2
  exit 1
}

# show_log_tail FILE [LINES]: print the end of a log file on stderr, if it exists.
show_log_tail() {
  local file=$1 lines=${2:-40}
  if [[ -r ${file} ]]; then
    printf '[mosaic-local] ---- last %s lines of %s ----\n' "${lines}" "${file}" >&2
    tail -n "${lines}" "${file}" >&2 || true
    printf '[mosaic-local] ---- end of %s ----\n' "${file}" >&2
  else
    printf '[mosaic-local] (log file %s does not exist)\n' "${file}" >&2
  fi
}

# status_line NAME STATE ADDRESS [DETAILS]: the one-line status format shared by all scripts.
status_line() {
  local line
  line=$(printf '%-14s %-8s %-24s %s' "$1" "$2" "$3" "${4:-}")
  printf '%s\n' "${line%"${line##*[! ]}"}"
}

# --- run user ----------------------------------------------------------------------------

# ensure_run_user: create the run user (system account, no login) when running as root.
ensure_run_user() {
  [[ ${EUID} -eq 0 ]] || return 0
  if ! id -u "${MOSAIC_RUN_USER}" >/dev/null 2>&1; then
    log "creating system user ${MOSAIC_RUN_USER}"
    useradd --system --user-group --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin "${MOSAIC_RUN_USER}" \
      || id -u "${MOSAIC_RUN_USER}" >/dev/null 2>&1 \
      || die "could not create user ${MOSAIC_RUN_USER}"
  fi
  [[ $(id -u "${MOSAIC_RUN_USER}") -ne 0 ]] || die "MOSAIC_RUN_USER must not be root"
}

# as_run_user CMD...: run a command as the run user, with MOSAIC_LOCAL_DIR as working directory.
# fd 9 (the per-service lock) is closed so that servers never inherit the lock.
# The open-files limit is raised for the servers (Elasticsearch wants 65535, MariaDB ~32k):
# root first tries to raise the hard limit (needs CAP_SYS_RESOURCE), then the command itself
# raises its soft limit to the hard one (runuser's pam_limits may have lowered it to 1024).
as_run_user() {
  # shellcheck disable=SC2016 # expanded by the inner bash
  local raise='ulimit -Sn "$(ulimit -Hn)" 2>/dev/null || true; exec "$@"'
  if [[ ${EUID} -eq 0 ]]; then
    (
      cd "${MOSAIC_LOCAL_DIR}" || exit 1
      ulimit -Hn 65536 2>/dev/null || true
      exec runuser -u "${MOSAIC_RUN_USER}" -- bash -c "${raise}" bash "$@" 9>&-
    )
  else
    (cd "${MOSAIC_LOCAL_DIR}" && exec bash -c "${raise}" bash "$@" 9>&-)
  fi
}

# run_user_group: primary group of the run user.
run_user_group() {
  id -gn "${MOSAIC_RUN_USER}"
}

# ensure_dir DIR [MODE]: create a directory owned by the run user (parents included).
ensure_dir() {
  local dir=$1 mode=${2:-755}
  if [[ ! -d ${dir} ]]; then
    mkdir -p "${dir}"
  fi
  if [[ ${EUID} -eq 0 ]]; then
    chown "${MOSAIC_RUN_USER}:$(run_user_group)" "${dir}"
  fi
  chmod "${mode}" "${dir}"
}

# prepare: run user + base directory; every script calls this before doing real work.
prepare() {
  ensure_run_user
  if [[ ! -d ${MOSAIC_LOCAL_DIR} ]]; then
    mkdir -p "${MOSAIC_LOCAL_DIR}" || die "cannot create MOSAIC_LOCAL_DIR=${MOSAIC_LOCAL_DIR}"
  fi
  if [[ ${EUID} -eq 0 && $(stat -c %U "${MOSAIC_LOCAL_DIR}") != "${MOSAIC_RUN_USER}" ]]; then
    chown "${MOSAIC_RUN_USER}:$(run_user_group)" "${MOSAIC_LOCAL_DIR}"
    chmod 755 "${MOSAIC_LOCAL_DIR}"
  fi
  as_run_user test -w "${MOSAIC_LOCAL_DIR}" \
    || die "${MOSAIC_LOCAL_DIR} is not writable by ${MOSAIC_RUN_USER} (check the permissions of it and of its parents)"
}

# lock_service NAME: serialise start/stop of one service across concurrent callers (fd 9).
lock_service() {
  local lock="${MOSAIC_LOCAL_DIR}/.${1}.lock"
  exec 9>>"${lock}"
  flock -w 600 9 || die "could not lock ${lock} within 600s"
}

# --- processes ---------------------------------------------------------------------------

# proc_state PID: one-letter state (R, S, D, T, Z, ...) or nothing if there is no such process.
proc_state() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) }
  printf '%s\n' "${stat%% *}"
}

# proc_alive PID COMM [CMDLINE_PART]: true when PID exists, is not a zombie, its command name
# is COMM and (if given) its command line contains CMDLINE_PART.
# (the checks avoid mistaking a recycled pid, or another server, for ours)
proc_alive() {
  local pid=$1 comm=$2 part=${3:-} actual state cmdline
  [[ ${pid} =~ ^[0-9]+$ ]] || return 1
  actual=$(cat "/proc/${pid}/comm" 2>/dev/null) || return 1
  [[ ${actual} == "${comm}" ]] || return 1
  state=$(proc_state "${pid}")
  [[ -n ${state} && ${state} != Z && ${state} != X ]] || return 1
  if [[ -n ${part} ]]; then
    cmdline=$(tr '\0' ' ' <"/proc/${pid}/cmdline" 2>/dev/null) || return 1
    [[ ${cmdline} == *"${part}"* ]] || return 1
  fi
}

# launched_alive PID COMM [PART]: as proc_alive, for a server just launched by `sh -c 'setsid "$@" & echo $!'`:
# until that process has exec'd the server (on a loaded machine, the first checks come sooner) it is still
# the shell or setsid, and counts as alive. CI once saw a healthy Prometheus reported as "exited during startup".
launched_alive() {
  local pid=$1 comm state
  [[ ${pid} =~ ^[0-9]+$ ]] || return 1
  comm=$(cat "/proc/${pid}/comm" 2>/dev/null) || return 1
  if [[ ${comm} == sh || ${comm} == setsid ]]; then
    state=$(proc_state "${pid}")
    [[ -n ${state} && ${state} != Z && ${state} != X ]]
    return
  fi
  proc_alive "$@"
}

# read_pid_file FILE: first line of a pid file if it is a number, nothing otherwise.
read_pid_file() {
  local pid=""
  if [[ -r $1 ]]; then
    IFS= read -r pid <"$1" || true
  fi
  pid=${pid//[[:space:]]/}
  [[ ${pid} =~ ^[0-9]+$ ]] && printf '%s\n' "${pid}"
  return 0
}

# suspended_note PID: text appended to a status line when the process is SIGSTOPped.
suspended_note() {
  [[ $(proc_state "$1") == T ]] && printf ' [SUSPENDED (SIGSTOP): send SIGCONT]'
  return 0
}

# wait_gone PID COMM TIMEOUT_SECONDS: wait until the process has exited; false on timeout.
wait_gone() {
  local pid=$1 comm=$2 deadline
  deadline=$(($(now_ms) + $3 * 1000))
  while proc_alive "${pid}" "${comm}"; do
    (($(now_ms) < deadline)) || return 1
    sleep 0.1
  done
}

# terminate PID COMM TIMEOUT NAME: SIGTERM (+SIGCONT in case it is stopped), wait, then SIGKILL.
terminate() {
  local pid=$1 comm=$2 timeout=$3 name=$4
  proc_alive "${pid}" "${comm}" || return 0
  kill -TERM "${pid}" 2>/dev/null || true
  kill -CONT "${pid}" 2>/dev/null || true
  if ! wait_gone "${pid}" "${comm}" "${timeout}"; then
    log "${name} (pid ${pid}) did not stop within ${timeout}s after SIGTERM: sending SIGKILL"
    kill -KILL "${pid}" 2>/dev/null || true
    wait_gone "${pid}" "${comm}" 10 || die "${name} (pid ${pid}) survived SIGKILL"
  fi
}

# --- waiting -----------------------------------------------------------------------------

# now_ms: monotonic-enough wall clock in milliseconds.
now_ms() {
  local t=${EPOCHREALTIME/[.,]/}
  printf '%s\n' "$((t / 1000))"
}

# wait_for WHAT TIMEOUT_SECONDS LOG_FILE ALIVE_CMD CHECK_CMD...
#   Polls CHECK_CMD until it succeeds. ALIVE_CMD (a command/function, or "-" for none) is run
#   between polls: if it fails the server died during startup and we stop waiting at once.
#   On failure prints a clear message and the tail of LOG_FILE, and returns 1.
wait_for() {
  local what=$1 timeout=$2 logfile=$3 alive=$4 deadline
  shift 4
  deadline=$(($(now_ms) + timeout * 1000))
  while true; do
    if "$@" >/dev/null 2>&1; then
      return 0
    fi
    if [[ ${alive} != - ]] && ! ${alive}; then
      log "${what}: the server process exited during startup (see ${logfile})"
      show_log_tail "${logfile}"
      return 1
    fi
    if (($(now_ms) >= deadline)); then
      log "${what}: not ready after ${timeout}s (check was: $*). See ${logfile}"
      show_log_tail "${logfile}"
      return 1
    fi
    sleep 0.2
  done
}

# elapsed_since START_MS: seconds with one decimal.
elapsed_since() {
  local ms=$(($(now_ms) - $1))
  printf '%d.%ds\n' "$((ms / 1000))" "$(((ms % 1000) / 100))"
}

# usage_exit SCRIPT: standard usage message for the per-service scripts.
usage_exit() {
  printf 'usage: %s {start|stop|wipe|status|pid}\n' "$1" >&2
  exit 2
}
