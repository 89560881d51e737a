#!/usr/bin/env bash
# Installs MQTT.js for the MQTT 5 interoperability tests (kernel/src/test/java/io/cairn/kernel/interop/v5): runs
# 'npm ci' in the copy of this folder under kernel/target/mqttjs (kernel/pom.xml calls it at
# process-test-resources). Without npm the step is skipped and so are the tests that need MQTT.js, unless CI is
# set: then a missing tool fails the build, as elsewhere in this project.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  if [[ -n "${CI:-}" ]]; then
    echo "node and npm are needed for the MQTT.js interoperability tests (Node 20 or later)" >&2
    exit 1
  fi
  echo "[npm-ci] node or npm not found: the tests that need MQTT.js will be skipped"
  exit 0
fi
# the lock file pins every package; a lock file out of step with package.json fails here
npm ci --no-audit --no-fund --loglevel=error
