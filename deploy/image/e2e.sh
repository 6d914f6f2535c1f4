#!/usr/bin/env bash
# Runs the image of build.sh against real servers: private local services (deploy/local/services.sh,
# in a directory and on ports of their own, so that running demos and tests are not touched), the
# reference scenario's databases, and Mosaic in a container restricted as the pod is, with
# deploy/k8s/base's mosaic.yaml and mapping. Checks the initial load, two streamed changes, SIGTERM,
# and a restart in a new container whose only state is what Elasticsearch kept. About a minute.
#
#   mvn -B -q package -DskipTests && deploy/image/build.sh && deploy/image/e2e.sh
#
# Needs root, podman, psql, mariadb and curl; port 8080 free (the container uses the host's network,
# the servers listen on 127.0.0.1 only). Stops and deletes its services at the end.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -1)"
image="${MOSAIC_IMAGE_NAME:-localhost/mosaic}:$version"
export MOSAIC_LOCAL_DIR="${MOSAIC_E2E_DIR:-/var/tmp/mosaic-image-e2e}" MOSAIC_PG_PORT=25432 MOSAIC_MARIADB_PORT=23306 \
  MOSAIC_ES_PORT=29200 MOSAIC_ES_TRANSPORT_PORT=29300
es=http://127.0.0.1:29200

log() { echo "e2e.sh: $*" >&2; }
die() { echo "e2e.sh: FAILED: $*" >&2; exit 1; }

podman image exists "$image" || die "no image $image: run deploy/image/build.sh first"
[ -x "$root/scenario/target/bin/mosaic-scenario" ] || die "no scenario/target/bin/mosaic-scenario: run mvn -B -q package -DskipTests"
! ss -ltn | grep -q ':8080 ' || die "port 8080 is in use (a demo?); the container listens there"

conf="$(mktemp -d)"
cleanup() {
  podman rm -f mosaic-e2e >/dev/null 2>&1 || true
  rm -rf "$conf"
  "$root/deploy/local/services.sh" stop >/dev/null 2>&1 || true
  rm -rf "$MOSAIC_LOCAL_DIR"
}
trap cleanup EXIT

"$root/deploy/local/services.sh" start >/dev/null
"$root/scenario/target/bin/mosaic-scenario" setup --employees 1000 --pg-url "jdbc:postgresql://127.0.0.1:$MOSAIC_PG_PORT/" \
  --mysql-url "jdbc:mariadb://127.0.0.1:$MOSAIC_MARIADB_PORT/" --mysql-user mosaic --mysql-password mosaic >/dev/null
cp "$root/deploy/k8s/base/mosaic.yaml" "$root"/deploy/k8s/base/mappings/employees.* "$conf/"
chmod 755 "$conf"; chmod 644 "$conf"/*

# As in build.sh --check: plain podman first, the runc/ulimit workaround where crun cannot run.
run_opts=()
if ! podman run --rm --network none "$image" --version >/dev/null 2>&1; then
  run_opts=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
  command -v runc >/dev/null && run_opts+=(--runtime runc)
fi
java_opts="$(awk '/name: MOSAIC_JAVA_OPTS/{f=1; next} f&&/value: >-/{v=1; next} v&&/^ *-/{s=s (s?" ":"") $0; next} v{exit} END{gsub(/^ +| +$/, "", s); gsub(/ +/, " ", s); print s}' \
  "$root/deploy/k8s/base/deployment.yaml")"

start() {
  # the pod's restrictions; the values its ConfigMap and Secret would give, for these servers
  # (MOSAIC_ES_API_KEY empty: the local cluster has no authentication)
  podman run -d --name mosaic-e2e "${run_opts[@]}" --network host --read-only --tmpfs /tmp:rw,mode=1777 \
    --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges --memory 640m -v "$conf:/etc/mosaic:ro" \
    -e MOSAIC_JAVA_OPTS="$java_opts" -e MOSAIC_ES_URLS="$es" -e MOSAIC_ES_API_KEY= \
    -e ADMIN_DB_HOST=127.0.0.1 -e ADMIN_DB_PORT="$MOSAIC_PG_PORT" -e ADMIN_DB_USER=postgres -e ADMIN_DB_PASSWORD=postgres \
    -e MOTIVATION_DB_HOST=127.0.0.1 -e MOTIVATION_DB_PORT="$MOSAIC_PG_PORT" -e MOTIVATION_DB_USER=postgres -e MOTIVATION_DB_PASSWORD=postgres \
    -e LABOR_DB_HOST=127.0.0.1 -e LABOR_DB_PORT="$MOSAIC_MARIADB_PORT" -e LABOR_DB_USER=debezium -e LABOR_DB_PASSWORD=debezium \
    "$image" >/dev/null
  local t0 ready="" streaming=""
  t0=$(date +%s%N)
  for _ in $(seq 1 240); do
    if [ -z "$ready" ] && [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8080/health/ready)" = 200 ]; then
      ready=$(( ($(date +%s%N) - t0) / 1000000 ))
    fi
    if [ "$(curl -s http://127.0.0.1:8080/status | grep -c '"phase" : "streaming"' || true)" = 3 ]; then
      streaming=$(( ($(date +%s%N) - t0) / 1000000 )); break
    fi
    sleep 0.5
  done
  [ -n "$streaming" ] || die "the 3 sources were not streaming after 120 s: $(podman logs mosaic-e2e 2>&1 | tail -5)"
  log "ok: /health/ready 200 after ${ready:-?} ms, all 3 sources streaming (/status) after $streaming ms"
}

doc() { curl -s "$es/employees/_doc/$1?_source=$2" | grep -o '"_source".*'; }

start
count="$(curl -s "$es/employees/_count" | grep -o '"count":[0-9]*')"
[ "$count" = '"count":1000' ] || die "employees has $count documents, not 1000"
log "ok: initial load, 1000 employee documents"
PGPASSWORD=postgres psql -q -h 127.0.0.1 -p "$MOSAIC_PG_PORT" -U postgres -d admin -c "update employees set given_name='K8s' where id=42"
mariadb -h127.0.0.1 -P"$MOSAIC_MARIADB_PORT" -umosaic -pmosaic -e "update labor.contracts set weekly_hours=33.5 where employee_id=42"
changed() { # the new name, and every contract at 33.5 hours
  [[ "$d" == *'"given":"K8s"'* ]] && [ "$(grep -o '"weekly_hours":[0-9.]*' <<<"$d" | sort -u)" = '"weekly_hours":33.5' ]
}
for _ in $(seq 1 20); do
  d="$(doc 42 name.given,contracts.weekly_hours)"
  changed && break
  sleep 0.5
done
changed || die "changes from admin (PostgreSQL) and labor (MariaDB) not in document 42: $d"
log "ok: a PostgreSQL and a MariaDB change streamed into document 42: $d"
log "resident set of the JVM: $(awk '/VmRSS/ {print $2, $3}' "/proc/$(podman inspect -f '{{.State.Pid}}' mosaic-e2e)/status")"
log "state indices: $(curl -s "$es/_cat/indices/mosaic-*?h=index" | sort | tr '\n' ' ')"

t0=$(date +%s%N)
podman stop -t 30 mosaic-e2e >/dev/null
log "ok: SIGTERM: stopped in $(( ($(date +%s%N) - t0) / 1000000 )) ms, exit code $(podman inspect -f '{{.State.ExitCode}}' mosaic-e2e)"
podman rm mosaic-e2e >/dev/null

PGPASSWORD=postgres psql -q -h 127.0.0.1 -p "$MOSAIC_PG_PORT" -U postgres -d admin -c "update employees set given_name='WhileDown' where id=43"
log "restart in a new container (new /tmp; offsets and schema history only in Elasticsearch)"
start
skipped="$(podman logs mosaic-e2e 2>&1 | grep -c 'Snapshot ended with SnapshotResult \[status=SKIPPED' || true)"
[ "$skipped" = 3 ] || die "expected the 3 sources to resume without a snapshot, $skipped did"
for _ in $(seq 1 20); do d="$(doc 43 name.given)"; [[ "$d" == *WhileDown* ]] && break; sleep 0.5; done
[[ "$d" == *WhileDown* ]] || die "the change made while Mosaic was down is not in document 43: $d"
log "ok: resumed without snapshots (3 of 3) and applied the change made while it was down: $d"
log "done"
