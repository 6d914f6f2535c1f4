#!/usr/bin/env bash
# The reference scenario end to end, on this machine: builds Mosaic, starts the local PostgreSQL,
# MariaDB and Elasticsearch, creates and seeds the three service databases (admin, motivation,
# labor), runs Mosaic in the background and shows the employee documents it keeps in Elasticsearch.
#   DEMO_EMPLOYEES=1000   how many employees to seed (default 1000)
#   deploy/local/demo.sh stop   stops the demo's Mosaic (the servers keep running: services.sh stop)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "${HERE}/../.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=env.sh
source "${HERE}/env.sh"

EMPLOYEES="${DEMO_EMPLOYEES:-1000}"
ES="http://127.0.0.1:${MOSAIC_ES_PORT}"
HTTP_PORT="${MOSAIC_HTTP_PORT:-8080}"
DEMO_DIR="${MOSAIC_LOCAL_DIR}/demo"
PID_FILE="${DEMO_DIR}/mosaic.pid"
LOG_FILE="${DEMO_DIR}/mosaic.log"
export MOSAIC_STATE_DIR="${DEMO_DIR}/state" MOSAIC_HTTP_PORT="${HTTP_PORT}"
# deploy/local/mosaic.yaml reads these; they follow the local services' ports (env.sh)
export MOSAIC_ES_URLS="${MOSAIC_ES_URLS:-${ES}}"
export ADMIN_DB_PORT="${ADMIN_DB_PORT:-${MOSAIC_PG_PORT}}" MOTIVATION_DB_PORT="${MOTIVATION_DB_PORT:-${MOSAIC_PG_PORT}}"
export LABOR_DB_PORT="${LABOR_DB_PORT:-${MOSAIC_MARIADB_PORT}}"
PSQL=("${MOSAIC_PG_BIN}/psql" -X -q -v ON_ERROR_STOP=1)
export PGPASSWORD="${MOSAIC_PG_PASSWORD}"

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

stop_mosaic() {
  if [[ -f "${PID_FILE}" ]] && kill -0 "$(cat "${PID_FILE}")" 2>/dev/null; then
    kill "$(cat "${PID_FILE}")"
    for _ in $(seq 1 60); do kill -0 "$(cat "${PID_FILE}")" 2>/dev/null || break; sleep 0.5; done
  fi
  rm -f "${PID_FILE}"
}

if [[ "${1:-}" == "stop" ]]; then
  stop_mosaic
  echo "demo Mosaic stopped; the servers keep running (deploy/local/services.sh stop to stop them)"
  exit 0
fi

command -v mvn >/dev/null || { echo "Maven is missing: apt-get install -y maven" >&2; exit 2; }
command -v curl >/dev/null || { apt-get update -q && apt-get install -y -q curl; }

say "Building Mosaic and the scenario's setup command"
(cd "${ROOT}" && mvn -B -q -ntp package -DskipTests)

say "Starting the local services (PostgreSQL, MariaDB, Elasticsearch)"
"${HERE}/services.sh" start

say "Creating the scenario databases with ${EMPLOYEES} employees"
stop_mosaic
mkdir -p "${DEMO_DIR}"
# A fresh start: no replication slot, publication, offsets or index from an earlier demo.
for db in admin motivation; do
  "${PSQL[@]}" -h 127.0.0.1 -p "${MOSAIC_PG_PORT}" -U "${MOSAIC_PG_USER}" -d postgres -c \
    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'mosaic_${db}' AND NOT active" >/dev/null
  if "${PSQL[@]}" -h 127.0.0.1 -p "${MOSAIC_PG_PORT}" -U "${MOSAIC_PG_USER}" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${db}'" | grep -q 1; then
    "${PSQL[@]}" -h 127.0.0.1 -p "${MOSAIC_PG_PORT}" -U "${MOSAIC_PG_USER}" -d "${db}" -c "DROP PUBLICATION IF EXISTS mosaic_${db}" >/dev/null
  fi
done
curl -s -o /dev/null -X DELETE "${ES}/employees*,mosaic-*?expand_wildcards=all&ignore_unavailable=true"
rm -rf "${MOSAIC_STATE_DIR}"
"${ROOT}/scenario/target/bin/mosaic-scenario" setup --employees "${EMPLOYEES}" \
  --pg-url "jdbc:postgresql://127.0.0.1:${MOSAIC_PG_PORT}/" --pg-user "${MOSAIC_PG_USER}" --pg-password "${MOSAIC_PG_PASSWORD}" \
  --mysql-url "jdbc:mariadb://127.0.0.1:${MOSAIC_MARIADB_PORT}/"

say "Running Mosaic (log: ${LOG_FILE})"
nohup "${ROOT}/connector/target/bin/mosaic" run --config "${HERE}/mosaic.yaml" >"${LOG_FILE}" 2>&1 &
echo $! >"${PID_FILE}"

printf 'waiting for the snapshot of the three databases to reach Elasticsearch'
count=0
for _ in $(seq 1 300); do
  if ! kill -0 "$(cat "${PID_FILE}")" 2>/dev/null; then
    echo; echo "Mosaic stopped; the end of its log:" >&2; tail -n 30 "${LOG_FILE}" >&2; exit 1
  fi
  count=$(curl -s "${ES}/employees/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
  # /status: every source has written its snapshot and streams changes (readiness is already 200 while they snapshot)
  status=$(curl -s "http://127.0.0.1:${HTTP_PORT}/status" || true)
  sources=$(grep -c '"phase" :' <<<"${status}" || true)
  streaming=$(grep -c '"phase" : "streaming"' <<<"${status}" || true)
  if [[ ${sources} -gt 0 && ${streaming} -eq ${sources} ]]; then break; fi
  printf '.'; sleep 1
done
echo " ${count:-0} documents"

say "A sample search: employees whose family name is 山田, with their department, surveys and contracts"
curl -s -H 'Content-Type: application/json' "${ES}/employees/_search?pretty&filter_path=hits.total,hits.hits._source" -d '{
  "size": 1, "query": { "term": { "name.family.keyword": "山田" } },
  "_source": { "excludes": ["mosaic"] }
}'

cat <<EOT

$(printf '\033[1m')Mosaic is running$(printf '\033[0m') and keeps the 'employees' index in step with the three databases.
  health:   curl http://127.0.0.1:${HTTP_PORT}/health/ready
  status:   curl http://127.0.0.1:${HTTP_PORT}/status
  metrics:  curl http://127.0.0.1:${HTTP_PORT}/metrics   (docs/METRICS.md; Grafana dashboard and alerts in grafana/)
  search:   curl -G "${ES}/employees/_search?pretty" --data-urlencode 'q=department.name.keyword:開発部'
  one doc:  curl "${ES}/employees/_doc/42?pretty"

Change a row and watch the document follow within a second or two:
  PGPASSWORD=${MOSAIC_PG_PASSWORD} ${MOSAIC_PG_BIN}/psql -h 127.0.0.1 -p ${MOSAIC_PG_PORT} -U ${MOSAIC_PG_USER} admin \\
      -c "UPDATE departments SET name = '新規事業部' WHERE id = (SELECT department_id FROM employees WHERE id = 42)"
  mariadb -h127.0.0.1 -P${MOSAIC_MARIADB_PORT} -umosaic -pmosaic labor \\
      -e "INSERT INTO qualifications (id, employee_id, name) VALUES (99999, 42, '危険物取扱者')"
  curl "${ES}/employees/_doc/42?pretty"

Stop: deploy/local/demo.sh stop   (servers: deploy/local/services.sh stop)
EOT
