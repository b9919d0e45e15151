#!/usr/bin/env node
// Shim for the `runnel` bin: the CLI is compiled to tools/dist (npx nx run tools:build).
require('../dist/cli/main.js').runCli(process.argv.slice(2));
