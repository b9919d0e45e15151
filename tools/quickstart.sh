#!/usr/bin/env bash
# From a fresh checkout to a running local cluster: set-up (tools/setup.sh), then the cluster
# in the foreground (Ctrl-C stops it). Arguments go to the cluster, e.g.
#   bash tools/quickstart.sh --taskmanagers 3 --slots 4
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
echo "==> starting the local cluster"
# exec: the cluster gets Ctrl-C and SIGTERM directly and stops everything it started.
exec node tools/dist/cluster/main.js "$@"
