#!/usr/bin/env bash
# Runs the whole test suite on a Debian machine with a JDK (17+) and Maven: unit tests, then the
# integration tests (*IT) against real PostgreSQL, MariaDB and Elasticsearch, which the build
# installs (MariaDB from Debian, Elasticsearch from Maven Central) and starts on loopback itself.
#
# Every run starts the servers from new, empty data directories (services.sh wipe), so that no run
# depends on what an earlier one left behind (WAL already written, indices, slots). Installed
# packages and the unpacked Elasticsearch stay. With -Dmosaic.services=external the servers are
# the caller's and are left alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v mvn >/dev/null || { echo "Maven is missing: apt-get install -y maven" >&2; exit 2; }
command -v curl >/dev/null || { apt-get update -q && apt-get install -y -q curl; }
if [[ " $* " != *" -Dmosaic.services=external "* ]]; then
  bash deploy/local/services.sh wipe all
fi
exec mvn -B -ntp verify "$@"
