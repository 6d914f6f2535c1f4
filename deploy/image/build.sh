#!/usr/bin/env bash
# Builds Mosaic's container image without a Docker daemon and without a registry, and checks it.
#
#   mvn -B -q package -DskipTests        # first: connector/target/{mosaic.jar,lib/,bin/mosaic}
#   deploy/image/build.sh [--check] [--rebuild-base]
#
# 1. The base: no registry is needed. A minimal Debian 12 root filesystem with openjdk-17-jre-headless,
#    made by mmdebstrap from Debian's packages, cached as a tarball under $MOSAIC_IMAGE_CACHE
#    (/var/tmp/mosaic-image; about 25 s the first time, then reused; --rebuild-base makes it again,
#    e.g. for security updates) and imported as the image localhost/mosaic-base:<tag>.
# 2. The image: deploy/image/Dockerfile, built by buildah with BASE_IMAGE set to that base
#    (--pull=never: nothing is fetched), committed as localhost/mosaic:<version> and written as an
#    OCI archive to connector/target/mosaic-image.tar (load it with `podman load -i`, or push it with
#    `skopeo copy oci-archive:connector/target/mosaic-image.tar docker://registry.example.com/...`).
# 3. Checks, failing loudly: the archive's configuration (entrypoint, command, non-root user 10001,
#    port 8080, OCI labels) with skopeo, and its files (launcher, jar, every lib/ jar, the user,
#    nothing writable by it) through buildah mount.
# 4. --check also runs it with podman the way the pod does (read-only root, uid 10001, no
#    capabilities, no network, 640m memory limit, the Deployment's MOSAIC_JAVA_OPTS): --help,
#    `validate --offline` on deploy/k8s/base's files, the JVM's heap under that limit, and
#    `run` (health endpoints, then SIGTERM). About a minute.
#
# Needs root (or a working rootless buildah), and: apt-get install buildah podman skopeo mmdebstrap jq
# Settings: MOSAIC_IMAGE_CACHE, MOSAIC_IMAGE_MIRROR and MOSAIC_IMAGE_SECURITY_MIRROR (Debian's archive
# and security archive, default deb.debian.org; bookworm, bookworm-updates and bookworm-security are used),
# MOSAIC_IMAGE_NAME (default localhost/mosaic), MOSAIC_IMAGE_ARCHIVE (default connector/target/mosaic-image.tar).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cache="${MOSAIC_IMAGE_CACHE:-/var/tmp/mosaic-image}"
mirror="${MOSAIC_IMAGE_MIRROR:-http://deb.debian.org/debian}"
security="${MOSAIC_IMAGE_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
name="${MOSAIC_IMAGE_NAME:-localhost/mosaic}"
archive="${MOSAIC_IMAGE_ARCHIVE:-$root/connector/target/mosaic-image.tar}"
target="$root/connector/target"

check=false
rebuild_base=false
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    --rebuild-base) rebuild_base=true ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown option '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

log() { echo "build.sh: $*" >&2; }
die() { echo "build.sh: FAILED: $*" >&2; exit 1; }

for tool in buildah skopeo mmdebstrap jq; do
  command -v "$tool" >/dev/null || die "$tool is missing: apt-get install buildah podman skopeo mmdebstrap jq"
done
$check && { command -v podman >/dev/null || die "podman is missing (--check runs the image): apt-get install podman"; }
for f in mosaic.jar lib bin/mosaic; do
  [ -e "$target/$f" ] || die "$target/$f is missing: build first with 'mvn -B -q package -DskipTests'"
done
if [ -n "$(find "$root/connector/src/main" -newer "$target/mosaic.jar" -type f -print -quit)" ]; then
  log "WARNING: connector/src/main has files newer than connector/target/mosaic.jar; the image gets the older jar"
fi

version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -1)"
[ -n "$version" ] || die "no <version> in $root/pom.xml"
revision="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
image="$name:$version"

# --- 1. the base ---------------------------------------------------------------------------------
# The tag names everything the tarball depends on; change "b1" when the recipe below changes.
base_tag="bookworm-openjdk17-$(uname -m)-b1"
base_tar="$cache/base-$base_tag.tar"
base_image="localhost/mosaic-base:$base_tag"
mkdir -p "$cache"
if $rebuild_base; then
  rm -f "$base_tar"
  buildah rmi "$base_image" >/dev/null 2>&1 || true
fi
if [ ! -s "$base_tar" ]; then
  log "making the base root filesystem with mmdebstrap (Debian 12, openjdk-17-jre-headless) -> $base_tar"
  # No documentation, manual pages or translations. The JRE's postinst registers its manual page with
  # update-alternatives, which fails unless the directory exists: create it before the packages go in.
  mmdebstrap --variant=minbase --format=tar --include=openjdk-17-jre-headless \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/* "$1"/var/log/*.log' \
    bookworm "$base_tar.partial" "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb $security bookworm-security main" >"$cache/mmdebstrap.log" 2>&1 \
    || { tail -20 "$cache/mmdebstrap.log" >&2; rm -f "$base_tar.partial"; die "mmdebstrap failed (log: $cache/mmdebstrap.log)"; }
  mv "$base_tar.partial" "$base_tar"
  buildah rmi "$base_image" >/dev/null 2>&1 || true
elif [ -n "$(find "$base_tar" -mtime +30)" ]; then
  log "WARNING: $base_tar is older than 30 days; --rebuild-base picks up Debian's security updates"
fi
if ! buildah inspect --type image "$base_image" >/dev/null 2>&1; then
  log "importing $base_tar as $base_image"
  ctr="$(buildah from scratch)"
  trap 'buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
  buildah add --quiet "$ctr" "$base_tar" / >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
    --label org.opencontainers.image.description="Debian 12 (mmdebstrap minbase) with openjdk-17-jre-headless" "$ctr"
  buildah commit --quiet --format oci --rm "$ctr" "$base_image" >/dev/null
  trap - EXIT
fi
jre="$(tar -xOf "$base_tar" ./var/lib/dpkg/status | awk '/^Package: openjdk-17-jre-headless$/{p=1} p&&/^Version:/{print $2; exit}')"
log "base $base_image (openjdk-17-jre-headless $jre)"

# --- 2. the image --------------------------------------------------------------------------------
log "building $image from deploy/image/Dockerfile"
# chroot isolation: the Dockerfile's one RUN (useradd) needs no OCI runtime, cgroups or namespaces
buildah build --quiet --isolation chroot --pull=never --format oci \
  --file "$root/deploy/image/Dockerfile" --ignorefile "$root/deploy/image/Dockerfile.dockerignore" \
  --build-arg BASE_IMAGE="$base_image" --build-arg VERSION="$version" \
  --build-arg REVISION="$revision" --build-arg CREATED="$created" \
  --tag "$image" "$root" >/dev/null
rm -f "$archive"
buildah push --quiet "$image" "oci-archive:$archive:$image"
log "wrote $archive ($(du -h "$archive" | cut -f1))"

# --- 3. checks of what was written ---------------------------------------------------------------
cfg="$(skopeo inspect --config "oci-archive:$archive")"
expect() { # description, jq filter that must yield true
  if [ "$(jq -r "$2" <<<"$cfg")" != true ]; then
    die "image config: $1 (jq '$2'); config: $(jq -c .config <<<"$cfg")"
  fi
  log "ok: $1"
}
expect "entrypoint is the launcher" '.config.Entrypoint == ["/opt/mosaic/bin/mosaic"]'
expect "command is run --config /etc/mosaic/mosaic.yaml" '.config.Cmd == ["run", "--config", "/etc/mosaic/mosaic.yaml"]'
expect "user is 10001:10001 (non-root)" '.config.User == "10001:10001"'
expect "port 8080/tcp exposed (only)" '(.config.ExposedPorts | keys) == ["8080/tcp"]'
expect "OCI labels title, version $version, revision, created" \
  "(.config.Labels[\"org.opencontainers.image.title\"] == \"Mosaic\") and (.config.Labels[\"org.opencontainers.image.version\"] == \"$version\") and (.config.Labels[\"org.opencontainers.image.revision\"] == \"$revision\") and (.config.Labels[\"org.opencontainers.image.created\"] == \"$created\")"
expect "base recorded in org.opencontainers.image.base.name" ".config.Labels[\"org.opencontainers.image.base.name\"] == \"$base_image\""
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
expect "os linux, architecture $arch" ".os == \"linux\" and .architecture == \"$arch\""
log "ok: layers (compressed): $(skopeo inspect --raw "oci-archive:$archive" | jq -r '[.layers[].size / 1048576 | floor | tostring + " MiB"] | join(" + ")')"

# The files, from the committed image (buildah mount needs root; rootless it needs `buildah unshare`).
ctr="$(buildah from --pull=never "$image")"
trap 'buildah umount "$ctr" >/dev/null 2>&1 || true; buildah rm "$ctr" >/dev/null 2>&1 || true' EXIT
fs="$(buildah mount "$ctr")"
[ -x "$fs/opt/mosaic/bin/mosaic" ] || die "no executable /opt/mosaic/bin/mosaic in the image"
cmp -s "$fs/opt/mosaic/bin/mosaic" "$target/bin/mosaic" || die "/opt/mosaic/bin/mosaic differs from $target/bin/mosaic"
cmp -s "$fs/opt/mosaic/mosaic.jar" "$target/mosaic.jar" || die "/opt/mosaic/mosaic.jar differs from $target/mosaic.jar"
want="$(cd "$target/lib" && ls | sort)"
have="$(cd "$fs/opt/mosaic/lib" && ls | sort)"
[ "$want" = "$have" ] || die "/opt/mosaic/lib differs from $target/lib: $(diff <(echo "$want") <(echo "$have") | head -5)"
log "ok: launcher, mosaic.jar and $(echo "$have" | wc -l) lib/ jars as in connector/target"
grep -qx 'mosaic:x:10001:10001::/nonexistent:/usr/sbin/nologin' "$fs/etc/passwd" || die "no user mosaic with uid 10001 in /etc/passwd"
writable="$(find "$fs/opt/mosaic" \( -uid 10001 -o -perm -o+w \) -print -quit)"
[ -z "$writable" ] || die "$writable is writable by the user mosaic"
[ -x "$fs/usr/bin/java" ] && [ -x "$fs/usr/bin/bash" ] || die "no /usr/bin/java or /usr/bin/bash in the image"
[ -s "$fs/etc/ssl/certs/java/cacerts" ] || die "no Java trust store (/etc/ssl/certs/java/cacerts)"
log "ok: user mosaic (10001), application files read-only for it, java and bash present, CA trust store"
buildah umount "$ctr" >/dev/null
buildah rm "$ctr" >/dev/null
trap - EXIT

if ! $check; then
  log "done: $image, $archive (run with --check to start it with podman)"
  exit 0
fi

# --- 4. run it with podman, as the pod would ------------------------------------------------------
log "loading $archive into podman"
podman load --quiet -i "$archive" >/dev/null
# This machine needs two workarounds (deploy/k8s/README.md): crun refuses cgroups v1 with a controller
# on the v2 hierarchy ("cgroups in hybrid mode not supported"), and the runtime may not raise rlimits
# (no CAP_SYS_RESOURCE). Plain podman is tried first; the workarounds only if it fails.
run_opts=()
if ! out="$(podman run --rm --network none "$image" --version 2>&1)"; then
  log "plain 'podman run' failed: $out"
  run_opts=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
  command -v runc >/dev/null && run_opts+=(--runtime runc)
  out="$(podman run --rm --network none "${run_opts[@]}" "$image" --version 2>&1)" \
    || die "podman cannot run containers here, even with ${run_opts[*]}: $out (apt-get install runc may help)"
  log "running with ${run_opts[*]}"
fi
log "ok: 'mosaic --version' in the container: $out"

java_opts="$(awk '/name: MOSAIC_JAVA_OPTS/{f=1; next} f&&/value: >-/{v=1; next} v&&/^ *-/{s=s (s?" ":"") $0; next} v{exit} END{gsub(/^ +| +$/, "", s); gsub(/ +/, " ", s); print s}' \
  "$root/deploy/k8s/base/deployment.yaml")"
[[ "$java_opts" == -XX:* ]] || die "could not read MOSAIC_JAVA_OPTS from deploy/k8s/base/deployment.yaml (got '$java_opts')"
conf="$(mktemp -d)"
trap 'rm -rf "$conf"; podman rm -f mosaic-image-check >/dev/null 2>&1 || true' EXIT
cp "$root/deploy/k8s/base/mosaic.yaml" "$root/deploy/k8s/base/mappings/employees.yaml" "$root/deploy/k8s/base/mappings/employees.index.json" "$conf/"
chmod 755 "$conf"; chmod 644 "$conf"/*
# The pod's restrictions (securityContext, resources, the /tmp emptyDir); the settings of the base's
# ConfigMap mosaic-env; placeholders for the Secret's values.
pod=(--network none --read-only --tmpfs /tmp:rw,mode=1777 --user 10001:10001 --cap-drop ALL
     --security-opt no-new-privileges --memory 640m -v "$conf:/etc/mosaic:ro"
     -e MOSAIC_JAVA_OPTS="$java_opts"
     -e MOSAIC_ES_URLS=https://elasticsearch.example.internal:9200 -e MOSAIC_ES_API_KEY=placeholder
     -e ADMIN_DB_HOST=admin-db.example.internal -e ADMIN_DB_USER=mosaic -e ADMIN_DB_PASSWORD=placeholder
     -e MOTIVATION_DB_HOST=motivation-db.example.internal -e MOTIVATION_DB_USER=mosaic -e MOTIVATION_DB_PASSWORD=placeholder
     -e LABOR_DB_HOST=labor-db.example.internal -e LABOR_DB_USER=mosaic -e LABOR_DB_PASSWORD=placeholder)

out="$(podman run --rm "${run_opts[@]}" "${pod[@]}" "$image" --help 2>&1)" || die "mosaic --help failed: $out"
grep -q '^Usage: mosaic' <<<"$out" || die "mosaic --help printed no usage: $out"
log "ok: mosaic --help"

out="$(podman run --rm "${run_opts[@]}" "${pod[@]}" "$image" validate --offline --config /etc/mosaic/mosaic.yaml 2>&1)" \
  || die "mosaic validate --offline failed in the container: $out"
grep -q 'configuration OK: 3 source(s), 1 document type(s)' <<<"$out" || die "unexpected validate output: $out"
log "ok: validate --offline on deploy/k8s/base's files, read-only root, uid 10001: $(tail -1 <<<"$out")"

# shellcheck disable=SC2086 # the options are words
heap="$(podman run --rm "${run_opts[@]}" "${pod[@]}" --entrypoint java "$image" $java_opts -XX:+PrintFlagsFinal -version 2>/dev/null \
  | awk '$2 == "MaxHeapSize" {print $4}')"
[ "$heap" = 201326592 ] || die "MaxHeapSize under a 640m limit with '$java_opts' is '$heap', not 192 MiB (201326592)"
log "ok: under a 640m memory limit the Deployment's JVM options give a 192 MiB heap"

# mosaic run: no server is reachable (no network), so it opens its HTTP endpoint and waits.
podman run -d --name mosaic-image-check "${run_opts[@]}" "${pod[@]}" "$image" >/dev/null
http_get() { # path -> "status line"; bash's /dev/tcp, as the image has no curl
  podman exec mosaic-image-check bash -c "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET $1 HTTP/1.0\r\n\r\n' >&3 && head -1 <&3" 2>/dev/null | tr -d '\r'
}
live=""
for _ in $(seq 1 60); do
  live="$(http_get /health/live || true)"
  [ -n "$live" ] && break
  sleep 0.5
done
[[ "$live" == *" 200 "* ]] || die "GET /health/live answered '$live', not 200; logs: $(podman logs mosaic-image-check 2>&1 | tail -5)"
ready="$(http_get /health/ready || true)"
[[ "$ready" == *" 503 "* ]] || die "GET /health/ready answered '$ready', not 503 (nothing is reachable)"
metrics="$(podman exec mosaic-image-check bash -c "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3" | grep -c '^jvm_' || true)"
[ "$metrics" -gt 0 ] || die "GET /metrics has no jvm_ series"
log "ok: mosaic run in the container: /health/live $live, /health/ready $ready (no server reachable), /metrics $metrics jvm_ lines"
start=$(date +%s.%N)
podman stop -t 30 mosaic-image-check >/dev/null
stopped=$(awk "BEGIN {printf \"%.1f\", $(date +%s.%N) - $start}")
code="$(podman inspect -f '{{.State.ExitCode}}' mosaic-image-check)"
log "ok: SIGTERM stopped it in ${stopped}s (exit code $code; the grace period is 30 s)"
if awk "BEGIN {exit !($stopped >= 29)}"; then
  die "it did not stop on SIGTERM within the 30 s grace period: podman killed it"
fi
podman logs mosaic-image-check 2>&1 | grep -q 'stopping' || die "no 'stopping' in the log: the shutdown hook did not run"
podman rm mosaic-image-check >/dev/null
log "done: $image, $archive, checked with podman"
