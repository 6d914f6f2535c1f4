#!/usr/bin/env bash
# Runs the Flink CDC benchmark peer (build first: mvn -f bench/flink/pom.xml package).
# All arguments are passed to io.mosaic.bench.flink.FlinkPeer (--help lists them).
set -euo pipefail

dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

if [[ ! -f "$dir/target/mosaic-bench-flink.jar" ]]; then
  echo "peer.sh: $dir/target/mosaic-bench-flink.jar missing; run: mvn -B -f $dir/pom.xml package -Dmaven.test.skip=true" >&2
  exit 1
fi

# Classpath in Maven declaration order (target/classpath.txt, written at package time): the
# patched Debezium classes in flink-connector-postgres-cdc / flink-connector-debezium must come
# before debezium-*.jar. A bare lib/* wildcard has no defined order, so it is only a fallback,
# with the patching jars pinned in front.
if [[ -f "$dir/target/classpath.txt" ]]; then
  deps="$(sed -e "s#\(^\|:\)lib/#\1$dir/target/lib/#g" "$dir/target/classpath.txt")"
else
  deps="$(ls "$dir"/target/lib/flink-connector-postgres-cdc-*.jar "$dir"/target/lib/flink-connector-debezium-*.jar | paste -sd:):$dir/target/lib/*"
fi

# shellcheck disable=SC2086  # FLINK_PEER_JAVA_OPTS is intentionally word-split
exec java ${FLINK_PEER_JAVA_OPTS:--Xmx1g} \
  --add-opens=java.base/java.lang=ALL-UNNAMED \
  --add-opens=java.base/java.lang.reflect=ALL-UNNAMED \
  --add-opens=java.base/java.lang.invoke=ALL-UNNAMED \
  --add-opens=java.base/java.io=ALL-UNNAMED \
  --add-opens=java.base/java.net=ALL-UNNAMED \
  --add-opens=java.base/java.nio=ALL-UNNAMED \
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens=java.base/java.text=ALL-UNNAMED \
  --add-opens=java.base/java.time=ALL-UNNAMED \
  --add-opens=java.base/java.util=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED \
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED \
  --add-opens=java.base/java.math=ALL-UNNAMED \
  --add-opens=java.base/java.security=ALL-UNNAMED \
  --add-opens=java.sql/java.sql=ALL-UNNAMED \
  --add-exports=java.base/sun.net.util=ALL-UNNAMED \
  --add-exports=java.base/sun.security.action=ALL-UNNAMED \
  --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED \
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED \
  -cp "$dir/target/mosaic-bench-flink.jar:$deps" \
  io.mosaic.bench.flink.FlinkPeer "$@"
