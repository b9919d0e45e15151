#!/usr/bin/env bash
# From a fresh checkout to a running local cluster: set-up (tools/setup.sh), then the cluster
# in the foreground (Ctrl-C stops it). Without arguments it runs WordCount on README.md and prints
# the result; arguments replace that and go to the cluster, e.g.
#   bash tools/quickstart.sh --taskmanagers 3 --slots 4
#   bash tools/quickstart.sh --run examples/nexmark-q5.ts --events 20000 --output .runnel/q5/
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash tools/setup.sh
if [ "$#" -eq 0 ]; then
  # Its own output directory starts empty: a file sink adds part files to what is there (as
  # Flink's does), so an earlier run's counts would sit beside this run's.
  rm -rf .runnel/quickstart-wordcount
  set -- --run examples/word-count.ts --input README.md --output .runnel/quickstart-wordcount/
fi
echo "==> starting the local cluster"
# exec: the cluster gets Ctrl-C and SIGTERM directly and stops everything it started.
exec node tools/dist/cluster/main.js "$@"
