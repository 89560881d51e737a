#!/usr/bin/env bash
# Installs MQTT.js (its browser bundle, node_modules/mqtt/dist/mqtt.min.js) and playwright-core for BrowserTest
# (transport-ws/src/test/java/io/cairn/transport/ws/BrowserTest.java): runs 'npm ci' in the copy of this folder
# under transport-ws/target/mqttjs (transport-ws/pom.xml calls it at process-test-resources). Without npm the step
# is skipped and so is the browser test, unless CI is set: then a missing tool fails the build, as elsewhere in
# this project. No browser is downloaded: the test drives Debian's /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  if [[ -n "${CI:-}" ]]; then
    echo "node and npm are needed for the MQTT.js browser test (Node 20 or later)" >&2
    exit 1
  fi
  echo "[npm-ci] node or npm not found: the browser test will be skipped"
  exit 0
fi
# the lock file pins every package; a lock file out of step with package.json fails here
npm ci --no-audit --no-fund --loglevel=error
