#!/usr/bin/env bash
# `npm start`: the local cluster (tools/src/cluster). Builds first when the build is missing, so a
# fresh checkout after `npm install` needs no other step; `npm run setup` installs and builds all.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ ! -d node_modules ]; then
  echo "node_modules is missing: run \`npm run setup\` (or \`npm install --no-audit --no-fund\`) first" >&2
  exit 2
fi
for built in tools/dist/cluster/main.js apps/dispatcher/dist/main.js apps/dashboard/dist/index.html apps/jobmanager/dist/main.js \
             apps/resourcemanager/dist/main.js apps/taskmanager/dist/main.js; do
  if [ ! -f "$built" ]; then
    echo "==> $built is missing: building first (npx nx run-many -t build)"
    npx nx run-many -t build --outputStyle=static
    break
  fi
done
# exec: the cluster gets Ctrl-C and SIGTERM directly and stops everything it started.
exec node tools/dist/cluster/main.js "$@"
