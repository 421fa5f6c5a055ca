#!/usr/bin/env node
// The helios CLI: `npx helios <command> [options]` from this repository (package.json "bin"). Plain ES modules on
// Node's own util.parseArgs and fetch, so it runs on Node 20 with nothing to build. See README.md, "CLI".

import { main } from "./main.mjs";

process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  cwd: process.cwd(),
});
