#!/usr/bin/env bash
# Before/after, side by side in one run: builds two revisions of Mosaic (git worktrees under
# /var/tmp/mosaic-bench/ab) and measures both, alternately, on the same rows: the single-table stream
# (rounds of UPDATE over every employee) and the three-source stream (a mixed burst per round), with
# Mosaic's and Elasticsearch's CPU per change and Mosaic's RSS. Used for docs/bench/analysis.md.
#
#   bench/ab.sh [--before REV] [--after REV] [--employees N] [--rounds R] [--repeat K] [--streams LIST]
#               [--before-java-opts OPTS] [--profile] [--rates LIST] [--seconds S]
#
#   --before REV    default: the commit before the benchmark-driven changes (02c5e7f)
#   --after REV     default: the working tree (uncommitted changes included)
#   --employees N   scenario size (default 20000: about 146,000 source rows)
#   --rounds R      measured rounds per stream (default 3; one more round warms up first)
#   --repeat K      how many times each build is measured, alternating (default 2)
#   --streams LIST  which streams (default single,mixed; "initial" is the three-source initial load, in documents/s;
#                   "fresh" is commit-to-searchable latency at the offered rates of --rates, bench/Freshness)
#   --rates LIST    offered changes/s of the fresh stream (default 1000,2000)
#   --seconds S     measured seconds per offered rate of the fresh stream (default 20, after 5 s of warm-up)
#   --profile       a JFR recording of every run, next to its log
#   --before-java-opts OPTS   JVM options for the before build only (e.g. -Xmx1g where it needs more heap)
# Each build runs with its own launcher's default JVM options unless MOSAIC_JAVA_OPTS is set.
# The services are deploy/local/services.sh's, at MOSAIC_PG_PORT, MOSAIC_MARIADB_PORT and MOSAIC_ES_PORT when
# set (as services.sh reads them); Mosaic's HTTP port is MOSAIC_BENCH_HTTP_PORT (18080) and the builds and state
# go to MOSAIC_BENCH_AB_DIR (/var/tmp/mosaic-bench/ab), so that two checkouts can measure side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
before=02c5e7f; after=WORKTREE; employees=20000; rounds=3; repeat=2; profile=""; before_opts=""; streams="single,mixed"; rates="1000,2000"; seconds=20
while [[ $# -gt 0 ]]; do
  case "$1" in
    --before) before="$2"; shift 2 ;;
    --after) after="$2"; shift 2 ;;
    --employees) employees="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --repeat) repeat="$2"; shift 2 ;;
    --profile) profile=1; shift ;;
    --before-java-opts) before_opts="$2"; shift 2 ;;
    --streams) streams="$2"; shift 2 ;;
    --rates) rates="$2"; shift 2 ;;
    --seconds) seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1; see bench/ab.sh --help" >&2; exit 2 ;;
  esac
done
work=${MOSAIC_BENCH_AB_DIR:-/var/tmp/mosaic-bench/ab}
mkdir -p "$work"
es=http://127.0.0.1:${MOSAIC_ES_PORT:-19200}
http_port=${MOSAIC_BENCH_HTTP_PORT:-18080}
export MOSAIC_ES_URLS=$es MOSAIC_HTTP_PORT=$http_port
export PGPASSWORD=postgres
pg() { psql -qtA -h 127.0.0.1 -p "${MOSAIC_PG_PORT:-15432}" -U postgres -d "$1" -c "$2"; }
maria() { mariadb -h 127.0.0.1 -P "${MOSAIC_MARIADB_PORT:-13306}" -u mosaic -pmosaic labor; }

bash deploy/local/services.sh start all >/dev/null
build() { # $1 name, $2 rev -> prints the built tree's directory
  local dir="$work/$1" modules=connector
  if [[ "$2" == WORKTREE ]]; then
    dir="$root"
  else
    rm -rf "$dir"; git worktree prune
    git worktree add -f --detach "$dir" "$2" >&2
  fi
  # the scenario's setup command has a module of its own since issue 11; older revisions have none
  [[ -f "$dir/scenario/pom.xml" ]] && modules=connector,scenario
  (cd "$dir" && mvn -B -ntp -q -Dmaven.test.skip=true package -pl "$modules" >&2)
  echo "$dir"
}
if [[ ",$streams," == *,fresh,* ]]; then # the probe client is the benchmark's (bench/Freshness), built from this checkout
  (cd "$root" && mvn -B -ntp -q -Dstyle.color=never -Pbench -Dmaven.test.skip=true package -pl bench -am >&2)
fi
# the revisions as they are now: a commit made while the benchmark runs must not rename what was measured
rev_before=$(git rev-parse --short "$before" 2>/dev/null || echo "$before")
rev_after=$([[ "$after" == WORKTREE ]] && echo "WORKTREE on $(git rev-parse --short HEAD)" || git rev-parse --short "$after" 2>/dev/null || echo "$after")
dir_before=$(build before "$before")
dir_after=$(build after "$after")
bin_before="$dir_before/connector/target/bin/mosaic"
bin_after="$dir_after/connector/target/bin/mosaic"

# the after build seeds the rows both builds are measured on, in these services' databases (the setup
# command's own default is the default ports, which may be another checkout's)
dbs=(--pg-url "jdbc:postgresql://127.0.0.1:${MOSAIC_PG_PORT:-15432}/" --mysql-url "jdbc:mariadb://127.0.0.1:${MOSAIC_MARIADB_PORT:-13306}/")
if [[ -x "$dir_after/scenario/target/bin/mosaic-scenario" ]]; then
  "$dir_after/scenario/target/bin/mosaic-scenario" setup --employees "$employees" "${dbs[@]}" >/dev/null
else
  "$bin_after" scenario setup --employees "$employees" "${dbs[@]}" >/dev/null
fi

cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }
# this Elasticsearch's own process (another checkout's may run on the same machine)
espid=$(curl -s "$es/_nodes/_local/process?filter_path=**.process.id" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')

reset() {
  for db in admin motivation; do
    pg "$db" "select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name like 'bench_mosaic%' and database='$db'" >/dev/null
    pg "$db" "do \$\$ declare p text; begin for p in select pubname from pg_publication where pubname like 'bench_mosaic%' loop execute 'drop publication '||p; end loop; end \$\$" >/dev/null
  done
  for i in $(curl -s "$es/_cat/indices?h=index" | grep -E '^(employees|mosaic-|bench-flat)'); do curl -s -XDELETE "$es/$i" >/dev/null; done
  rm -rf "$work/state"; mkdir -p "$work/state"
}

start() { # $1 launcher, $2 config, $3 log, $4 JVM options or "" -> sets MP (pid)
  local opts="${4:-${MOSAIC_JAVA_OPTS:-}}"
  if [[ -n "$profile" ]]; then
    opts="${opts:--Xms64m -Xmx192m -XX:+UseParallelGC -XX:MinHeapFreeRatio=20 -XX:MaxHeapFreeRatio=40 -XX:+ExitOnOutOfMemoryError -XX:+UnlockExperimentalVMOptions -XX:TrimNativeHeapInterval=5000} -XX:StartFlightRecording=filename=${3%.log}.jfr,settings=profile"
  fi
  env MOSAIC_STATE_DIR="$work/state" MOSAIC_HTTP_PORT="$http_port" ${opts:+"MOSAIC_JAVA_OPTS=$opts"} "$1" run --config "$2" >"$3" 2>&1 &
  MP=$! # the launcher execs java: this is the JVM
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$http_port/health/ready") == 200 ]]; do
    sleep 0.5; kill -0 "$MP" 2>/dev/null || { echo "Mosaic died, see $3" >&2; tail -5 "$3" >&2; exit 1; }
  done
  MJ=$MP
}

stop() { kill "$MP" 2>/dev/null || true; wait "$MP" 2>/dev/null || true; }

count() { curl -s "$es/$1/_count" -H 'content-type: application/json' -d "$2" | sed -n 's/.*"count":\([0-9]*\).*/\1/p'; }

# one round of the single-table stream: every employee's code, in 5,000-row transactions
chunks="0..(($employees-1)/5000)"
upto="least((i+1)*5000, $employees)"
single_round() {
  pg admin "do \$\$ declare i int; begin for i in $chunks loop update employees set code='$1-'||id where id > i*5000 and id <= $upto; commit; end loop; end \$\$"
  until [[ "$(count bench-flat "{\"query\":{\"prefix\":{\"code\":\"$1-\"}}}")" -ge "$employees" ]]; do sleep 0.1; done
}

# one round of the mixed stream: every employee (admin), as many survey answers and qualifications, then sentinels
mixed_round() {
  local n=$employees score
  # the last digit is never 0: Elasticsearch returns 37.5 for 37.50, and the wait below would never match
  score=$(printf '%d.%d%d' $((RANDOM % 90 + 1)) $((RANDOM % 10)) $((RANDOM % 9 + 1)))
  local jobs=()
  pg admin "do \$\$ declare i int; begin for i in $chunks loop update employees set given_name_kana='$1-'||id where id > i*5000 and id <= $upto; commit; end loop; end \$\$" &
  jobs+=($!)
  pg motivation "do \$\$ declare i int; begin for i in $chunks loop update survey_answers set score=mod(score+1,100) where id > i*5000 and id <= $upto; commit; end loop; end \$\$" &
  jobs+=($!)
  (for i in $(seq 0 $(((n-1)/5000))); do echo "update qualifications set name=concat('$1-', id) where id > $((i*5000)) and id <= $(( (i+1)*5000 < n ? (i+1)*5000 : n ));"; done) | maria &
  jobs+=($!)
  wait "${jobs[@]}" # not Mosaic, which runs in the background too
  # one sentinel per source, after its burst: each source is applied in commit order
  pg admin "update employees set code='$1' where id=1"
  pg motivation "update survey_answers set score=$score where id=(select min(id) from survey_answers where employee_id=1)"
  echo "update qualifications set name='$1' where id=(select id from (select min(id) id from qualifications where employee_id=1) x);" | maria
  until curl -s "$es/employees/_doc/1" | tr -d ' ' | grep -q "\"code\":\"$1\".*\"score\":$score,.*\"name\":\"$1\""; do sleep 0.1; done
}

events_single=$employees
events_mixed=$(( employees + $(pg motivation "select count(*) from survey_answers where id <= $employees") + $(echo "select count(*) from qualifications where id <= $employees;" | maria | tail -1) ))

# the three-source initial load: from the start of Mosaic until every source streams (/status, as bench/run.sh
# decides it) and every employee has its document; documents/s, and CPU per document
all_streaming() {
  local status; status=$(curl -s "http://127.0.0.1:$http_port/status" | tr -d ' ')
  local sources streaming
  sources=$(grep -o '"phase"' <<<"$status" | wc -l); streaming=$(grep -o '"phase":"streaming"' <<<"$status" | wc -l)
  [[ $sources -gt 0 && $sources -eq $streaming ]]
}
measure_initial() { # $1 build name, $2 launcher, $3 repeat index
  reset
  local log="$work/$1-initial-$3.log" e0 s0
  e0=$(cpu "$espid"); s0=$(date +%s.%N)
  start "$2" "$root/bench/config/full.yaml" "$log" "$([[ "$1" == before ]] && echo "$before_opts")"
  until all_streaming && [[ "$(count employees '{"query":{"match_all":{}}}')" -ge "$employees" ]]; do
    sleep 0.2; kill -0 "$MP" 2>/dev/null || { echo "Mosaic died, see $log" >&2; exit 1; }
  done
  local s1 m1 e1 rss; s1=$(date +%s.%N); m1=$(cpu "$MJ"); e1=$(cpu "$espid")
  rss=$(( $(awk '/VmRSS/ {print $2}' "/proc/$MJ/status") / 1024 ))
  stop
  printf '| %s | initial | %d | %.0f | %.0f | %.0f | %d |\n' "$1" "$employees" \
    "$(echo "$employees / ($s1 - $s0)" | bc -l)" "$(echo "$m1 * 10000 / $employees" | bc -l)" \
    "$(echo "($e1 - $e0) * 10000 / $employees" | bc -l)" "$rss"
}

# commit-to-searchable latency at fixed offered rates, after the initial load (bench/Freshness): the probe
# latency's percentiles and, from Mosaic's mosaic_source_lag_seconds histogram, the pipeline's share of it
fresh_rows=()
measure_fresh() { # $1 build name, $2 launcher, $3 repeat index
  reset
  local log="$work/$1-fresh-$3.log"
  start "$2" "$root/bench/config/full.yaml" "$log" "$([[ "$1" == before ]] && echo "$before_opts")"
  until all_streaming && [[ "$(count employees '{"query":{"match_all":{}}}')" -ge "$employees" ]]; do
    sleep 0.5; kill -0 "$MP" 2>/dev/null || { echo "Mosaic died, see $log" >&2; exit 1; }
  done
  local out
  out=$(java -Dlogback.statusListenerClass=ch.qos.logback.core.status.NopStatusListener -cp "$root/bench/target/mosaic-bench.jar:$root/bench/target/lib/*" io.mosaic.bench.FreshnessRun "$1" "$http_port" "$seconds" ${rates//,/ } 2>>"$log")
  stop
  fresh_rows+=("$out")
}

measure() { # $1 build name, $2 launcher, $3 stream (single|mixed), $4 repeat index
  local config events tag
  if [[ "$3" == single ]]; then config="$root/bench/config/single.yaml"; events=$events_single; else config="$root/bench/config/full.yaml"; events=$events_mixed; fi
  reset
  local log="$work/$1-$3-$4.log"
  start "$2" "$config" "$log" "$([[ "$1" == before ]] && echo "$before_opts")"
  "${3}_round" "w$1$4$RANDOM" # warm-up
  local m0 e0 s0; m0=$(cpu "$MJ"); e0=$(cpu "$espid"); s0=$(date +%s.%N)
  for r in $(seq 1 "$rounds"); do "${3}_round" "m$1$4r$r$RANDOM"; done
  local s1 m1 e1; s1=$(date +%s.%N); m1=$(cpu "$MJ"); e1=$(cpu "$espid")
  local rss; rss=$(( $(awk '/VmRSS/ {print $2}' "/proc/$MJ/status") / 1024 ))
  stop
  local total=$(( events * rounds ))
  printf '| %s | %s | %d | %.0f | %.0f | %.0f | %d |\n' "$1" "$3" "$total" \
    "$(echo "$total / ($s1 - $s0)" | bc -l)" "$(echo "($m1 - $m0) * 10000 / $total" | bc -l)" \
    "$(echo "($e1 - $e0) * 10000 / $total" | bc -l)" "$rss"
}

echo "| build | stream | changes (initial: documents) | per second | Mosaic CPU µs each | Elasticsearch CPU µs each | Mosaic RSS MB |"
echo "|---|---|---:|---:|---:|---:|---:|"
for k in $(seq 1 "$repeat"); do
  for s in ${streams//,/ }; do
    if [[ "$s" == fresh ]]; then
      measure_fresh before "$bin_before" "$k"
      measure_fresh after "$bin_after" "$k"
      continue
    fi
    if [[ "$s" == initial ]]; then
      measure_initial before "$bin_before" "$k"
      measure_initial after "$bin_after" "$k"
      continue
    fi
    measure before "$bin_before" "$s" "$k"
    measure after "$bin_after" "$s" "$k"
  done
done
if [[ ${#fresh_rows[@]} -gt 0 ]]; then
  echo
  echo "| build | offered changes/s | achieved | p50 ms | p95 ms | p99 ms | max ms | probes not seen | pipeline p50 / p99 ms | received p50 / p99 ms | batch written p50 / p99 ms | sustainable |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${fresh_rows[@]}"
  echo
  echo "(from Mosaic's histograms, as the upper bound of the bucket holding the percentile: pipeline = commit in the source to Elasticsearch's acknowledgement (mosaic_source_lag_seconds), received = commit to Mosaic receiving the batch (mosaic_source_receive_lag_seconds), batch written = per batch, receiving it to its acknowledgement (mosaic_writer_batch_duration_seconds); the PostgreSQL sources only, since MariaDB's commit times are whole seconds; the rest of p50/p99 is the 1 s refresh and the 100 ms probe polling)"
fi
echo
echo "before = $before ($rev_before), after = $after ($rev_after); $employees employees; $rounds measured rounds after one warm-up round (single and mixed; initial is one load); $(date -u +%FT%TZ)"
