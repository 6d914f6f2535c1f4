#!/usr/bin/env bash
# Private single-node Elasticsearch for Mosaic, bound to 127.0.0.1, security disabled.
#   elasticsearch.sh start|stop|wipe|status|pid|ca
# status exits 0 when running, 3 when stopped. See README.md.
#
# MOSAIC_ES_SECURITY=tls selects a second, secured node instead (it can run beside the plain one):
# xpack.security on, HTTPS (and transport TLS) with a certificate of a CA generated here with openssl,
# the `elastic` superuser's password MOSAIC_ES_ELASTIC_PASSWORD, a user `mosaic` (password
# MOSAIC_ES_MOSAIC_PASSWORD) with Mosaic's least-privilege role (deploy/elasticsearch/mosaic-role.json), ports MOSAIC_ES_SECURED_PORT /
# MOSAIC_ES_SECURED_TRANSPORT_PORT, its own config, data and logs. `ca` prints the CA certificate's path.
#
# Distribution: org.elasticsearch.distribution.integ-test-zip:elasticsearch:${MOSAIC_ES_VERSION}:zip
# from Maven Central (a minimal distribution: only the transport-netty4, x-pack-core,
# x-pack-security and apm modules; `GET /` answers 405, so readiness uses _cluster/health).
# Each version has its own unpacked home, data and logs directories (an 8.x node cannot
# read data written by 9.x), so switching MOSAIC_ES_VERSION back and forth is safe.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

ES_VERSION="${MOSAIC_ES_VERSION}"
ES_DIR="${MOSAIC_LOCAL_DIR}/elasticsearch"
ES_HOME="${ES_DIR}/elasticsearch-${ES_VERSION}"
ES_DATA="${ES_DIR}/data-${ES_VERSION}"
ES_LOGS="${ES_DIR}/logs-${ES_VERSION}"
ES_TMP="${ES_DIR}/tmp"
ES_PID_FILE="${ES_DIR}/elasticsearch.pid"
ES_VERSION_FILE="${ES_DIR}/elasticsearch.version" # version of the running node
ES_CLUSTER_NAME=mosaic-local
ES_CONF="${ES_HOME}/config"
ES_HTTP_PORT="${MOSAIC_ES_PORT}"
ES_TRANSPORT_PORT="${MOSAIC_ES_TRANSPORT_PORT}"
ES_SECURITY="${MOSAIC_ES_SECURITY:-none}"
case "${ES_SECURITY}" in
  none) ;;
  tls)
    ES_NODE_DIR="${ES_DIR}/secured-${ES_VERSION}"
    ES_CONF="${ES_NODE_DIR}/config"
    ES_DATA="${ES_NODE_DIR}/data"
    ES_LOGS="${ES_NODE_DIR}/logs"
    ES_TMP="${ES_NODE_DIR}/tmp"
    ES_PID_FILE="${ES_DIR}/elasticsearch-secured.pid"
    ES_VERSION_FILE="${ES_DIR}/elasticsearch-secured.version"
    ES_CLUSTER_NAME=mosaic-secured
    ES_HTTP_PORT="${MOSAIC_ES_SECURED_PORT}"
    ES_TRANSPORT_PORT="${MOSAIC_ES_SECURED_TRANSPORT_PORT}"
    ;;
  *) die "elasticsearch: MOSAIC_ES_SECURITY must be 'none' or 'tls', not '${ES_SECURITY}'" ;;
esac
# the CA and the node's certificate (secured node only); the CA also serves other local servers' TLS in tests
ES_CERTS="${ES_CONF}/certs"
ES_CA="${ES_CERTS}/ca.crt"
ES_ROLE_FILE="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/elasticsearch/mosaic-role.json"
ES_LOG="${ES_LOGS}/${ES_CLUSTER_NAME}.log"
ES_STARTUP_LOG="${ES_LOGS}/startup.log"
if [[ ${ES_SECURITY} == tls ]]; then
  ES_URL="https://${MOSAIC_BIND_ADDRESS}:${ES_HTTP_PORT}"
else
  ES_URL="http://${MOSAIC_BIND_ADDRESS}:${ES_HTTP_PORT}"
fi
ES_GROUP_ID=org.elasticsearch.distribution.integ-test-zip
ES_ARTIFACT="${ES_GROUP_ID}:elasticsearch:${ES_VERSION}:zip"
ES_ZIP="${MOSAIC_M2_REPO}/${ES_GROUP_ID//.//}/elasticsearch/${ES_VERSION}/elasticsearch-${ES_VERSION}.zip"
MVN_DEPENDENCY_PLUGIN=org.apache.maven.plugins:maven-dependency-plugin:3.8.1

es_pid() {
  local pid
  pid=$(read_pid_file "${ES_PID_FILE}")
  if [[ -n ${pid} ]] && proc_alive "${pid}" java "-Des.path.home=${ES_DIR}/elasticsearch-"; then
    printf '%s\n' "${pid}"
  fi
}

es_running_version() {
  local v=""
  if [[ -r ${ES_VERSION_FILE} ]]; then
    IFS= read -r v <"${ES_VERSION_FILE}" || true
  fi
  printf '%s\n' "${v:-unknown}"
}

es_healthy() {
  local auth=()
  if [[ ${ES_SECURITY} == tls ]]; then
    auth=(--cacert "${ES_CA}" -u "elastic:${MOSAIC_ES_ELASTIC_PASSWORD}")
  fi
  curl -s -m 5 "${auth[@]}" "${ES_URL}/_cluster/health?wait_for_status=yellow&timeout=1s" \
    | grep -Eq '"status":"(yellow|green)"'
}

# The secured node's file roles: Mosaic's role from deploy/elasticsearch/mosaic-role.json (JSON is YAML).
# Written at every start, also of a running node, which re-reads the file within seconds.
es_write_roles() {
  sed 's/^/  /' "${ES_ROLE_FILE}" | { printf 'mosaic:\n'; cat; } >"${ES_CONF}/roles.yml.tmp"
  [[ ${EUID} -ne 0 ]] || chown "${MOSAIC_RUN_USER}:$(run_user_group)" "${ES_CONF}/roles.yml.tmp"
  mv "${ES_CONF}/roles.yml.tmp" "${ES_CONF}/roles.yml"
}

# The analysis components the .security index's mapping names (uax_url_email, pattern_capture, unique): the
# full distribution has them in its analysis-common module, the integ-test-zip does not, and without them the
# secured node cannot store API keys. A small plugin wrapping Lucene's implementations
# (es-security-analysis/), compiled here against the distribution's own jars, once per version and source.
es_install_security_analysis() {
  local java_home=$1 src dir jar build
  src="$(dirname "${BASH_SOURCE[0]}")/es-security-analysis/MosaicSecurityAnalysisPlugin.java"
  dir="${ES_HOME}/plugins/mosaic-security-analysis"
  jar="${dir}/mosaic-security-analysis.jar"
  [[ ! -f ${jar} || ${src} -nt ${jar} ]] || return 0
  [[ -x ${java_home}/bin/javac ]] || { log "elasticsearch: no javac in ${java_home}: the secured node will not store API keys"; return 0; }
  build=$(mktemp -d)
  if ! "${java_home}/bin/javac" --release 17 -proc:none -nowarn -cp "${ES_HOME}/lib/*" -d "${build}/classes" "${src}" >"${build}/javac.log" 2>&1; then
    log "elasticsearch: the security analysis plugin does not compile against ${ES_VERSION} (${build}/javac.log): the secured node will not store API keys"
    rm -rf "${dir}"
    return 0
  fi
  ensure_dir "${dir}" 755
  "${java_home}/bin/jar" --create --file "${jar}" -C "${build}/classes" .
  printf '%s\n' "description=Local test node only: the analysis components the .security index needs (see ${src##*/})" \
    "version=1.0" "name=mosaic-security-analysis" "classname=io.mosaic.localdev.MosaicSecurityAnalysisPlugin" \
    "java.version=17" "elasticsearch.version=${ES_VERSION}" >"${dir}/plugin-descriptor.properties"
  chmod 644 "${jar}" "${dir}/plugin-descriptor.properties"
  rm -rf "${build}"
  log "elasticsearch: installed the security analysis plugin in ${dir}"
}

# Secured node: its own config directory (a copy of the distribution's), a CA and a certificate for
# 127.0.0.1 and localhost signed by it (openssl, once: kept across restarts, removed by wipe), and a
# keystore whose bootstrap.password becomes the elastic user's password when the node starts empty.
es_prepare_secured() {
  local java_home=$1 ext
  if [[ ! -f ${ES_CONF}/jvm.options ]]; then
    ensure_dir "${ES_CONF}" 750
    cp -r "${ES_HOME}/config/." "${ES_CONF}/"
    rm -f "${ES_CONF}/elasticsearch.keystore"
  fi
  if [[ ! -f ${ES_CERTS}/node.crt ]]; then
    command -v openssl >/dev/null || die "elasticsearch: openssl not found (apt-get install openssl)"
    log "elasticsearch: generating a CA and a node certificate in ${ES_CERTS}"
    rm -rf "${ES_CERTS}"
    mkdir -p "${ES_CERTS}"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=Mosaic local CA" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
      -keyout "${ES_CERTS}/ca.key" -out "${ES_CERTS}/ca.crt" 2>/dev/null || die "elasticsearch: openssl could not create the CA"
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
      -keyout "${ES_CERTS}/node.key" -out "${ES_CERTS}/node.csr" 2>/dev/null || die "elasticsearch: openssl could not create the node key"
    ext="${ES_CERTS}/node.ext"
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth,clientAuth" "subjectAltName=DNS:localhost,IP:127.0.0.1" >"${ext}"
    openssl x509 -req -in "${ES_CERTS}/node.csr" -CA "${ES_CERTS}/ca.crt" -CAkey "${ES_CERTS}/ca.key" -CAcreateserial \
      -days 3650 -extfile "${ext}" -out "${ES_CERTS}/node.crt" 2>/dev/null || die "elasticsearch: openssl could not sign the node certificate"
    rm -f "${ES_CERTS}/node.csr" "${ext}" "${ES_CERTS}/ca.srl"
    chmod 600 "${ES_CERTS}"/*.key
    chmod 644 "${ES_CERTS}"/*.crt
    [[ ${EUID} -ne 0 ]] || chown -R "${MOSAIC_RUN_USER}:$(run_user_group)" "${ES_CONF}"
    chmod 755 "${ES_CONF}" "${ES_CERTS}"
  fi
  # Mosaic's least-privilege role (deploy/elasticsearch/mosaic-role.json) as a file role, and a file-realm user
  # with it: this distribution lacks the analysis-common module the .security index needs, so native users,
  # roles and API keys cannot be stored; file roles and users work (and are re-read while the node runs).
  es_write_roles
  # The password is set on every start, so that a changed MOSAIC_ES_MOSAIC_PASSWORD takes effect without a wipe.
  local users_action=useradd users_role=(-r mosaic)
  if grep -qs '^mosaic:' "${ES_CONF}/users"; then users_action=passwd users_role=(); fi
  as_run_user env ES_JAVA_HOME="${java_home}" ES_PATH_CONF="${ES_CONF}" "${ES_HOME}/bin/elasticsearch-users" \
    "${users_action}" mosaic -p "${MOSAIC_ES_MOSAIC_PASSWORD}" "${users_role[@]}" >/dev/null \
    || die "elasticsearch: cannot set up the file-realm user mosaic (${users_action})"
  if [[ ! -f ${ES_CONF}/elasticsearch.keystore ]]; then
    as_run_user env ES_JAVA_HOME="${java_home}" ES_PATH_CONF="${ES_CONF}" "${ES_HOME}/bin/elasticsearch-keystore" create >/dev/null \
      || die "elasticsearch: cannot create the keystore in ${ES_CONF}"
    printf '%s' "${MOSAIC_ES_ELASTIC_PASSWORD}" | as_run_user env ES_JAVA_HOME="${java_home}" ES_PATH_CONF="${ES_CONF}" \
      "${ES_HOME}/bin/elasticsearch-keystore" add -x -f bootstrap.password >/dev/null \
      || die "elasticsearch: cannot store the elastic password in the keystore"
  fi
}

# Fetch the zip through Maven (only when it is not in the local repository yet).
es_fetch() {
  [[ -f ${ES_ZIP} ]] && return 0
  command -v mvn >/dev/null || die "elasticsearch: mvn not found (needed to fetch ${ES_ARTIFACT})"
  log "elasticsearch: fetching ${ES_ARTIFACT} with Maven into ${MOSAIC_M2_REPO}"
  # run from a neutral directory: a pom.xml in the current directory must not get in the way
  if ! (cd "${ES_DIR}" && mvn -B -q -Dstyle.color=never "${MVN_DEPENDENCY_PLUGIN}:get" \
    -Dartifact="${ES_ARTIFACT}" -Dtransitive=false -Dmaven.repo.local="${MOSAIC_M2_REPO}" >&2); then
    die "elasticsearch: could not fetch ${ES_ARTIFACT} (does version ${ES_VERSION} exist on Maven Central?)"
  fi
  [[ -f ${ES_ZIP} ]] || die "elasticsearch: Maven finished but ${ES_ZIP} is missing"
}

# Unpack once (into a temporary directory, then rename), owned by the run user.
es_unpack() {
  local tmp="${ES_DIR}/.unpack-${ES_VERSION}"
  [[ -x ${ES_HOME}/bin/elasticsearch ]] && return 0
  es_fetch
  command -v unzip >/dev/null || die "elasticsearch: unzip not found (apt-get install unzip)"
  log "elasticsearch: unpacking ${ES_ZIP} into ${ES_HOME}"
  rm -rf "${tmp}" "${ES_HOME}"
  mkdir -p "${tmp}"
  unzip -q "${ES_ZIP}" -d "${tmp}" || die "elasticsearch: cannot unzip ${ES_ZIP}"
  [[ -d ${tmp}/elasticsearch-${ES_VERSION} ]] \
    || die "elasticsearch: ${ES_ZIP} does not contain elasticsearch-${ES_VERSION}/"
  [[ ${EUID} -ne 0 ]] || chown -R "${MOSAIC_RUN_USER}:$(run_user_group)" "${tmp}"
  mv "${tmp}/elasticsearch-${ES_VERSION}" "${ES_HOME}"
  rmdir "${tmp}"
}

# JDK: MOSAIC_ES_JAVA_HOME, else the newest /usr/lib/jvm/temurin-2*, else any JDK 21+ there.
java_major() {
  local release="$1/release" v=""
  [[ -x $1/bin/java && -r ${release} ]] || return 1
  v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "${release}")
  [[ -n ${v} ]] && printf '%s\n' "${v}"
}

# newest_jdk GLOB...: the JDK 21+ with the highest major version among the directories given.
newest_jdk() {
  local dir major best="" best_major=0
  for dir in "$@"; do
    [[ -d ${dir} && ! -L ${dir} ]] || continue
    major=$(java_major "${dir}") || continue
    if ((major >= 21 && major > best_major)); then
      best=${dir} best_major=${major}
    fi
  done
  [[ -n ${best} ]] && printf '%s\n' "${best}"
}

es_java_home() {
  if [[ -n ${MOSAIC_ES_JAVA_HOME} ]]; then
    java_major "${MOSAIC_ES_JAVA_HOME}" >/dev/null \
      || die "elasticsearch: MOSAIC_ES_JAVA_HOME=${MOSAIC_ES_JAVA_HOME} is not a JDK"
    printf '%s\n' "${MOSAIC_ES_JAVA_HOME}"
    return 0
  fi
  newest_jdk /usr/lib/jvm/temurin-2* || newest_jdk /usr/lib/jvm/* \
    || die "elasticsearch: no JDK 21+ found in /usr/lib/jvm (install Temurin 21/25, or set MOSAIC_ES_JAVA_HOME)"
}

es_write_config() {
  local conf="${ES_CONF}/elasticsearch.yml"
  {
    printf '# Written by deploy/local/elasticsearch.sh at every start: edit the script, not this file.\n'
    printf 'cluster.name: %s\n' "${ES_CLUSTER_NAME}"
    printf 'node.name: mosaic-local-1\n'
    printf 'network.host: %s\n' "${MOSAIC_BIND_ADDRESS}"
    printf 'http.port: %s\n' "${ES_HTTP_PORT}"
    printf 'transport.port: %s\n' "${ES_TRANSPORT_PORT}"
    printf 'discovery.type: single-node\n'
    if [[ ${ES_SECURITY} == tls ]]; then
      printf 'xpack.security.enabled: true\n'
      printf 'xpack.security.http.ssl.enabled: true\n'
      printf 'xpack.security.http.ssl.key: certs/node.key\n'
      printf 'xpack.security.http.ssl.certificate: certs/node.crt\n'
      printf 'xpack.security.http.ssl.certificate_authorities: [certs/ca.crt]\n'
      printf 'xpack.security.transport.ssl.enabled: true\n'
      printf 'xpack.security.transport.ssl.verification_mode: certificate\n'
      printf 'xpack.security.transport.ssl.key: certs/node.key\n'
      printf 'xpack.security.transport.ssl.certificate: certs/node.crt\n'
      printf 'xpack.security.transport.ssl.certificate_authorities: [certs/ca.crt]\n'
    else
      printf 'xpack.security.enabled: false\n'
    fi
    printf 'path.data: %s\n' "${ES_DATA}"
    printf 'path.logs: %s\n' "${ES_LOGS}"
    printf 'cluster.routing.allocation.disk.threshold_enabled: false\n'
    printf 'action.destructive_requires_name: false\n'
    # the setting only exists when the ingest-geoip module is there (not in integ-test-zip)
    if [[ -d ${ES_HOME}/modules/ingest-geoip ]]; then
      printf 'ingest.geoip.downloader.enabled: false\n'
    fi
  } >"${conf}"
  [[ ${EUID} -ne 0 ]] || chown "${MOSAIC_RUN_USER}:$(run_user_group)" "${conf}"
}

es_cleanup_stale() {
  if [[ -z $(es_pid) ]]; then
    rm -f "${ES_PID_FILE}" "${ES_VERSION_FILE}"
  fi
}

es_alive() {
  [[ -n $(es_pid) ]]
}

# Launch the daemon; `-d` returns once the node has started (or failed to).
es_launch() {
  local java_home=$1
  : >"${ES_STARTUP_LOG}"
  # the launcher leaves a final-flags* directory (JVM ergonomics probe) and a jansi-* library
  # in its tmpdir at every start: clear them (no server is running at this point)
  rm -rf "${ES_TMP}"/final-flags* "${ES_TMP}"/jansi-*
  [[ ${EUID} -ne 0 ]] || chown "${MOSAIC_RUN_USER}" "${ES_STARTUP_LOG}"
  printf '%s\n' "${ES_VERSION}" >"${ES_VERSION_FILE}"
  # working directory = logs dir: jvm.options writes gc.log / hs_err files relative to it.
  # CLI_JAVA_OPTS is for the launcher JVM only: C1 only (starts faster), temp files in ES_TMP.
  as_run_user env -C "${ES_LOGS}" \
    ES_JAVA_HOME="${java_home}" \
    ES_JAVA_OPTS="-Xms${MOSAIC_ES_HEAP} -Xmx${MOSAIC_ES_HEAP}" \
    ES_PATH_CONF="${ES_CONF}" \
    ES_TMPDIR="${ES_TMP}" \
    CLI_JAVA_OPTS="-XX:TieredStopAtLevel=1 -Djava.io.tmpdir=${ES_TMP}" \
    "${ES_HOME}/bin/elasticsearch" -d -p "${ES_PID_FILE}" >>"${ES_STARTUP_LOG}" 2>&1
}

es_show_failure() {
  show_log_tail "${ES_STARTUP_LOG}" 20
  show_log_tail "${ES_LOG}" 40
}

cmd_start() {
  local t0 pid java_home running_version
  t0=$(now_ms)
  prepare
  lock_service elasticsearch
  pid=$(es_pid)
  if [[ -n ${pid} ]]; then
    running_version=$(es_running_version)
    [[ ${running_version} == "${ES_VERSION}" ]] \
      || die "elasticsearch ${running_version} is already running (pid ${pid}); stop it before starting ${ES_VERSION}"
    [[ $(proc_state "${pid}") != T ]] \
      || die "elasticsearch (pid ${pid}) is suspended (SIGSTOP): send SIGCONT (kill -CONT ${pid}) or stop it"
    if [[ ${ES_SECURITY} == tls ]] && ! cmp -s <(sed 's/^/  /' "${ES_ROLE_FILE}" | { printf 'mosaic:\n'; cat; }) "${ES_CONF}/roles.yml"; then
      es_write_roles
      log "elasticsearch: role mosaic changed; the node re-reads it within seconds"
      sleep 6
    fi
  else
    ensure_dir "${ES_DIR}" 755
    es_unpack
    ensure_dir "${ES_DATA}" 750
    ensure_dir "${ES_LOGS}" 755
    ensure_dir "${ES_TMP}" 700
    java_home=$(es_java_home)
    [[ ${ES_SECURITY} != tls ]] || { es_install_security_analysis "${java_home}"; es_prepare_secured "${java_home}"; }
    es_write_config
    es_cleanup_stale
    log "elasticsearch: starting ${ES_VERSION} (JDK ${java_home}, heap ${MOSAIC_ES_HEAP})"
    if ! es_launch "${java_home}"; then
      if [[ ${EUID} -eq 0 ]] && grep -qs 'max_map_count' "${ES_LOG}" "${ES_STARTUP_LOG}" \
        && sysctl -q -w vm.max_map_count=262144 2>/dev/null; then
        log "elasticsearch: raised vm.max_map_count to 262144, starting again"
        es_cleanup_stale
        es_launch "${java_home}" || { es_show_failure; die "elasticsearch ${ES_VERSION} failed to start"; }
      else
        es_show_failure
        es_cleanup_stale
        die "elasticsearch ${ES_VERSION} failed to start (logs: ${ES_STARTUP_LOG}, ${ES_LOG})"
      fi
    fi
  fi
  if ! wait_for "elasticsearch" "${MOSAIC_ES_START_TIMEOUT}" "${ES_LOG}" es_alive es_healthy; then
    show_log_tail "${ES_STARTUP_LOG}" 20
    die "elasticsearch ${ES_VERSION} did not become healthy (log: ${ES_LOG})"
  fi
  log "elasticsearch: ready in $(elapsed_since "${t0}")"
  cmd_status
}

cmd_stop() {
  local pid
  prepare
  lock_service elasticsearch
  pid=$(es_pid)
  if [[ -n ${pid} ]]; then
    terminate "${pid}" java "${MOSAIC_ES_STOP_TIMEOUT}" elasticsearch
  fi
  es_cleanup_stale
  status_line elasticsearch stopped "${ES_URL}"
}

cmd_status() {
  local pid
  pid=$(es_pid)
  if [[ -n ${pid} ]]; then
    if [[ ${ES_SECURITY} == tls ]]; then
      status_line elasticsearch running "${ES_URL}" \
        "(version $(es_running_version), TLS, users elastic / ${MOSAIC_ES_ELASTIC_PASSWORD}, mosaic / ${MOSAIC_ES_MOSAIC_PASSWORD}, CA ${ES_CA}) pid ${pid}$(suspended_note "${pid}")"
    else
      status_line elasticsearch running "${ES_URL}" \
        "(version $(es_running_version), no authentication) pid ${pid}$(suspended_note "${pid}")"
    fi
    return 0
  fi
  status_line elasticsearch stopped "${ES_URL}"
  return 3
}

cmd_pid() {
  local pid
  pid=$(es_pid)
  [[ -n ${pid} ]] || { log "elasticsearch is not running"; return 3; }
  printf '%s\n' "${pid}"
}

# wipe: stop the server and delete its data, so that the next start initialises it from nothing
# (installed packages and unpacked distributions stay).
cmd_wipe() {
  cmd_stop >/dev/null
  rm -rf "${ES_DATA}" "${ES_LOGS}"
  # the secured node's config holds its certificates and keystore: a wipe makes new ones
  [[ ${ES_SECURITY} != tls ]] || rm -rf "${ES_NODE_DIR}"
  status_line elasticsearch wiped "${ES_URL}"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  wipe) cmd_wipe ;;
  status) cmd_status ;;
  pid) cmd_pid ;;
  ca)
    [[ ${ES_SECURITY} == tls ]] || die "elasticsearch: only the secured node (MOSAIC_ES_SECURITY=tls) has a CA"
    [[ -f ${ES_CA} ]] || die "elasticsearch: ${ES_CA} does not exist yet: start the secured node first"
    printf '%s\n' "${ES_CA}"
    ;;
  *) usage_exit "$0" ;;
esac
