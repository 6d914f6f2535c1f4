#!/usr/bin/env bash
# The whole benchmark in one command: builds Mosaic, the benchmark and the Flink CDC peer, starts the
# local services (deploy/local/services.sh), RESETS the scenario databases (admin, motivation, labor)
# and the Elasticsearch indices, measures, and writes docs/BENCHMARKS.md, docs/bench/latency.png and
# docs/bench/results.json. About 20–25 minutes on a 2-core machine with the defaults (half of it the scaling
# step), after the first build and the services' installation.
#
#   bench/run.sh [--employees N] [--burst N] [--naive-events N] [--seconds S] [--rates LIST] [--scale LIST | --no-scaling] [--no-flink] [--profile] [--out DIR]
#   bench/run.sh --report-only        # re-render the document and plot from docs/bench/results.json
#
#   --employees N      scenario size (default 140000: about 1M source rows)
#   --burst N          changes per source in the full scenario's streaming burst (default 100000)
#   --naive-events N   changes in the naive baseline's burst (default 20000; it is slow)
#   --seconds S        measured seconds per offered rate (default 20, after 5 s of warm-up)
#   --rates LIST       offered rates always measured (default 100,1000); steps up to ~90% of the burst throughput follow
#   --scale LIST       further sizes (employees) for the scaling step (default 35000,280000): each is seeded anew,
#                      loaded and streamed a burst proportional to its size; the largest also renames departments
#                      of 10,000 and 100,000 employees (a fan-out). About 8 minutes with the defaults
#   --no-scaling       skip the scaling step
#   --no-flink         skip the Flink CDC peer
#   --profile          record a JFR profile of each Mosaic run (/var/tmp/mosaic-bench/mosaic-*.jfr)
#   --out DIR          where to write BENCHMARKS.md and bench/ (default: docs/ for a run with the defaults;
#                      /var/tmp/mosaic-bench/report/ for any other run, which is a smoke test, not a measurement)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
args=("$@")
while [[ $# -gt 0 ]]; do # checked here too, so that a typo fails before anything is built or reset
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --employees|--burst|--naive-events|--seconds|--rates|--scale|--out)
      [[ $# -ge 2 && "$2" != --* ]] || { echo "bench: $1 needs a value; see bench/run.sh --help" >&2; exit 2; }
      shift 2 ;;
    --no-flink|--no-scaling|--report-only|--profile) shift ;;
    *) echo "bench: unknown option $1; see bench/run.sh --help" >&2; exit 2 ;;
  esac
done
set -- "${args[@]+"${args[@]}"}"
command -v mvn >/dev/null || { echo "Maven is missing: apt-get install -y maven" >&2; exit 2; }
command -v curl >/dev/null || { apt-get update -q && apt-get install -y -q curl; }

if [[ " $* " != *" --report-only "* ]]; then
  bash deploy/local/services.sh start all
  mvn -B -ntp -q -Dstyle.color=never -Pbench -Dmaven.test.skip=true package
  if [[ " $* " != *" --no-flink "* ]]; then
    mvn -B -ntp -q -Dstyle.color=never -f bench/flink/pom.xml -Dmaven.test.skip=true package
  fi
else
  [[ -f bench/target/mosaic-bench.jar ]] || mvn -B -ntp -q -Dstyle.color=never -Pbench -Dmaven.test.skip=true package
fi
exec java ${MOSAIC_BENCH_JAVA_OPTS:--Xmx4g} -cp "bench/target/mosaic-bench.jar:bench/target/lib/*" io.mosaic.bench.Bench --root "$root" "$@"
