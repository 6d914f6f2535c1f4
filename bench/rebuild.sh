#!/usr/bin/env bash
# The speed of `mosaic rebuild`, to compare with the sink limit of docs/BENCHMARKS.md: seeds the
# reference scenario with N employees (RESETS the scenario databases and Mosaic's indices on the local
# services of deploy/local/env.sh, i.e. the MOSAIC_* ports exported), lets `mosaic run` load them,
# stops it, then times `mosaic rebuild` of the employees alias into index.version 2 (--grace 0s) with
# nothing else of Mosaic running. Prints the first pass's rate (documents written to the new index per
# second, from its progress line), the whole command's wall time and documents/s, the load average, and
# the CPU seconds the rebuild's JVM and this Elasticsearch node spent (less sensitive than wall time
# to other work on a shared machine: a change that saves CPU shows there even when the clock is noisy).
# With --compare, each load is rebuilt twice, by this build and by the other launcher (into versions 2
# and 3, in alternating order), so that both read the same state on the same machine minutes apart.
#
#   bench/rebuild.sh [--employees N] [--repeat K] [--compare LAUNCHER] [--this LAUNCHER]
#     defaults: 20000 employees, 2 repeats; this build is connector/target/bin/mosaic (mvn package, or
#     --this), and LAUNCHER another build's bin/mosaic (e.g. a copy of connector/target made before a change)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
employees=20000; repeat=2; compare=""; this="connector/target/bin/mosaic"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --employees) employees="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --compare) compare="$2"; shift 2 ;;
    --this) this="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
es_pid="$(cat "${MOSAIC_LOCAL_DIR}/elasticsearch/elasticsearch.pid" 2>/dev/null || true)"
es_cpu() { # CPU seconds this Elasticsearch node has spent (utime + stime), or 0 when unknown
  [[ -n "$es_pid" && -r "/proc/$es_pid/stat" ]] || { echo 0; return; }
  awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' "/proc/$es_pid/stat"
}

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

  builds=("this:$this")
  if [[ -n "$compare" ]]; then
    if ((i % 2)); then builds=("other:$compare" "${builds[@]}"); else builds+=("other:$compare"); fi
  fi
  version=1
  for build in "${builds[@]}"; do
    name="${build%%:*}"; launcher="${build#*:}"; version=$((version + 1))
    printf '%s\n' "$mapping" | sed "s/^  version: 1\$/  version: $version/" > "$work/mappings/v$version.yaml"
    grep -q "^  version: $version\$" "$work/mappings/v$version.yaml"
    config "$work/mappings/v$version.yaml" > "$work/v$version.conf"
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    es0="$(es_cpu)"
    start=$(date +%s.%N)
    TIMEFORMAT='cpu %U %S'
    { time "$launcher" rebuild --config "$work/v$version.conf" --grace 0s > "$work/rebuild-$i-$name.log" 2>&1; } 2> "$work/cpu-$i-$name"
    end=$(date +%s.%N)
    es1="$(es_cpu)"
    jvm="$(awk '/^cpu / { printf "%.1f", $2 + $3 }' "$work/cpu-$i-$name")"
    [[ "$(count "employees-v$version")" == "$employees" ]] || { echo "employees-v$version has $(count "employees-v$version") documents, not $employees" >&2; exit 1; }
    first="$(grep -o '[0-9,]*/s' "$work/rebuild-$i-$name.log" | tail -1)"
    awk -v n="$employees" -v s="$start" -v e="$end" -v f="$first" -v l="$load" -v i="$i" -v b="$name" -v j="$jvm" -v c="$(awk -v a="$es0" -v b="$es1" 'BEGIN { printf "%.1f", b - a }')" 'BEGIN {
      printf "run %d, %s build: %d documents; first pass %s; whole command %.1f s, %.0f documents/s; CPU: rebuild JVM %.1f s, Elasticsearch %.1f s; load average before: %s\n", i, b, n, f, e - s, n / (e - s), j, c, l }'
  done
done
