#!/usr/bin/env bash
# The speed of `mosaic rebuild`, to compare with the sink limit of docs/BENCHMARKS.md: seeds the
# reference scenario with N employees (RESETS the scenario databases and Mosaic's indices on the local
# services of deploy/local/env.sh, i.e. the MOSAIC_* ports exported), lets `mosaic run` load them,
# stops it, then times `mosaic rebuild` of the employees alias into index.version 2 (--grace 0s) with
# nothing else of Mosaic running. Prints the first pass's rate (documents written to the new index per
# second, from its progress line), the whole command's wall time and documents/s, and the load average.
#
#   bench/rebuild.sh [--employees N] [--repeat K]     (defaults: 20000, 2; needs `mvn -Pbench package` or
#                                                      at least connector/target/bin/mosaic and scenario/target/bin)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
employees=20000; repeat=2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --employees) employees="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1; see bench/rebuild.sh --help" >&2; exit 2 ;;
  esac
done
# shellcheck source=../deploy/local/env.sh
source deploy/local/env.sh
es="http://127.0.0.1:${MOSAIC_ES_PORT}"
work="${MOSAIC_LOCAL_DIR}/bench-rebuild"
rm -rf "$work"; mkdir -p "$work/mappings"
cp mappings/employees.index.json "$work/mappings/"
mapping="$(cat mappings/employees.yaml)"
printf '%s\n' "$mapping" > "$work/mappings/v1.yaml"
config() { # $1: mapping file
  cat <<EOF
elasticsearch:
  urls: $es
sources:
  admin: { type: postgres, host: 127.0.0.1, port: ${MOSAIC_PG_PORT}, database: admin, user: postgres, password: postgres }
  motivation: { type: postgres, host: 127.0.0.1, port: ${MOSAIC_PG_PORT}, database: motivation, user: postgres, password: postgres }
  labor: { type: mariadb, host: 127.0.0.1, port: ${MOSAIC_MARIADB_PORT}, user: debezium, password: debezium, server_id: 5591 }
mappings: [$1]
state:
  directory: $work/state
http:
  port: 0
EOF
}
config "$work/mappings/v1.yaml" > "$work/v1.conf"
count() { curl -s "$es/$1/_count" | sed -n 's/.*"count":\([0-9]*\).*/\1/p'; }

for ((i = 1; i <= repeat; i++)); do
  curl -s -XDELETE "$es/employees*,mosaic-*" >/dev/null
  curl -s -XDELETE "$es/_index_template/mosaic-*" >/dev/null
  rm -rf "$work/state"
  scenario/target/bin/mosaic-scenario setup --employees "$employees" --pg-url "jdbc:postgresql://127.0.0.1:${MOSAIC_PG_PORT}/" \
    --mysql-url "jdbc:mariadb://127.0.0.1:${MOSAIC_MARIADB_PORT}/" > "$work/setup.log"
  for db in admin motivation; do # the tables were created again: Mosaic creates the publication with their columns
    PGPASSWORD="${MOSAIC_PG_PASSWORD}" "${MOSAIC_PG_BIN}/psql" -X -q -h 127.0.0.1 -p "${MOSAIC_PG_PORT}" -U "${MOSAIC_PG_USER}" -d "$db" \
      -c "DROP PUBLICATION IF EXISTS mosaic_${db}"
  done
  connector/target/bin/mosaic run --config "$work/v1.conf" --resnapshot admin,motivation,labor > "$work/run.log" 2>&1 &
  pid=$!
  until [[ "$(count employees)" == "$employees" ]]; do
    kill -0 "$pid" || { echo "mosaic run exited; see $work/run.log" >&2; exit 1; }
    sleep 2
  done
  sleep 5 # the last lookups' state writes
  kill -TERM "$pid"; wait "$pid" || true

  printf '%s\n' "$mapping" | sed 's/^  version: 1$/  version: 2/' > "$work/mappings/v2.yaml"
  grep -q '^  version: 2$' "$work/mappings/v2.yaml"
  config "$work/mappings/v2.yaml" > "$work/v2.conf"
  load="$(cut -d' ' -f1-3 /proc/loadavg)"
  start=$(date +%s.%N)
  connector/target/bin/mosaic rebuild --config "$work/v2.conf" --grace 0s > "$work/rebuild-$i.log" 2>&1
  end=$(date +%s.%N)
  [[ "$(count employees-v2)" == "$employees" ]] || { echo "employees-v2 has $(count employees-v2) documents, not $employees" >&2; exit 1; }
  first="$(grep -o '[0-9,]*/s' "$work/rebuild-$i.log" | tail -1)"
  awk -v n="$employees" -v s="$start" -v e="$end" -v f="$first" -v l="$load" -v i="$i" 'BEGIN {
    printf "run %d: %d documents; first pass %s; whole command %.1f s, %.0f documents/s; load average before: %s\n", i, n, f, e - s, n / (e - s), l }'
done
