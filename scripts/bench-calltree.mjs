// What an edge call really costs, on the real local server (scripts/start.mjs, as `npm start` runs it), against
// what a fuel unit costs there, measured in the same run:
//   1. ns per fuel of a plain loop in a sandbox (a guest spinning until a 1e9 budget runs out, minus the same
//      request with a trivial budget);
//   2. ms per sandbox run of an edge_invoke tree (test/fixtures/guests/fan-out.wat: a root calling N leaves, minus
//      the root alone), i.e. the parent's work to start a callee's sandbox and get its answer;
//   3. their quotient: the fuel a plain loop burns in the time one edge call takes, which EDGE_INVOKE_BASE_FUEL is
//      compared with (docs/limits.md, "Call trees").
//   node scripts/bench-calltree.mjs [--quick]

import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { startLocalServer } from "./bench-local-server.mjs";
import { importTypeScript, median, repoRoot } from "./lib/bench-support.mjs";

const quick = process.argv.includes("--quick");
const SAMPLES = quick ? 3 : 9;
const LEAVES = quick ? 16 : 32;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

async function main() {
  const { watToBytes, EDGE_INVOKE_BASE_FUEL } = await importTypeScript("calltree", [
    `export { watToBytes } from "./src/wasm/fixtures.ts";`,
    `export { EDGE_INVOKE_BASE_FUEL } from "./src/sandbox/host-edge-invoke.ts";`,
  ], { external: true });
  const fixture = (name) => watToBytes(readFileSync(join(repoRoot, "test/fixtures/guests", `${name}.wat`), "utf8"));
  const spin = await watToBytes(`(module (memory (export "memory") 1)
    (func (export "helios_alloc") (param i32) (result i32) (i32.const 1024))
    (func (export "handle") (param i32 i32) (result i64) (local $i i32)
      (loop $l (local.set $i (i32.add (local.get $i) (i32.const 1))) (br $l)) (i64.const 0)))`);
  const fan = await fixture("fan-out");

  const server = await startLocalServer();
  try {
    const auth = { authorization: `Bearer ${server.token}` };
    const deploy = async (name, bytes, query) => {
      const response = await fetch(`${server.baseUrl}/v1/functions/${name}${query}`, {
        method: "PUT",
        body: bytes,
        headers: { ...auth, "content-type": "application/wasm", "x-helios-sha256": sha256(bytes) },
      });
      if (!response.ok) throw new Error(`deploy ${name}: ${response.status} ${await response.text()}`);
    };
    const timed = async (name, body) => {
      const started = performance.now();
      const response = await fetch(`${server.baseUrl}/v1/functions/${name}/invoke`, { method: "POST", body });
      await response.arrayBuffer();
      return { ms: performance.now() - started, runs: Number(response.headers.get("x-helios-sandbox-runs")) };
    };
    const medianMs = async (name, body) => {
      await timed(name, body);
      const samples = [];
      for (let i = 0; i < SAMPLES; i++) samples.push((await timed(name, body)).ms);
      return median(samples);
    };

    const BIG = 1_000_000_000;
    await deploy("bench-spin-big", spin, `?fuel=${BIG}`);
    await deploy("bench-spin-small", spin, "?fuel=1000");
    const spinNsPerFuel = (((await medianMs("bench-spin-big", "")) - (await medianMs("bench-spin-small", ""))) * 1e6) / BIG;

    await deploy("bench-leaf", fan, "?profile=invoke");
    await deploy("bench-root", fan, `?profile=invoke&fuel=${BIG}&config=${encodeURIComponent(JSON.stringify({ next: "bench-leaf" }))}`);
    const alone = await medianMs("bench-root", Uint8Array.of(0));
    const tree = await medianMs("bench-root", Uint8Array.of(LEAVES));
    const { runs } = await timed("bench-root", Uint8Array.of(LEAVES));
    const msPerRun = (tree - alone) / (runs - 1);
    const fuelPerRun = (msPerRun * 1e6) / spinNsPerFuel;

    console.log(`bench-calltree (${quick ? "quick" : "full"}: ${SAMPLES} samples, median; local server)`);
    console.log(`  plain loop in a sandbox:     ${spinNsPerFuel.toFixed(3)} ns/fuel`);
    console.log(`  root alone ${alone.toFixed(2)} ms, root + ${LEAVES} leaves ${tree.toFixed(2)} ms (${runs} runs): ${msPerRun.toFixed(3)} ms per edge call`);
    console.log(`  = ${Math.round(fuelPerRun).toLocaleString("en-US")} fuel of plain loop per edge call; EDGE_INVOKE_BASE_FUEL = ${EDGE_INVOKE_BASE_FUEL.toLocaleString("en-US")} (${(fuelPerRun / EDGE_INVOKE_BASE_FUEL).toFixed(2)}x)`);
    console.log(JSON.stringify({ calltree: { spinNsPerFuel, msPerRun, runs, fuelPerRun, edgeInvokeBaseFuel: EDGE_INVOKE_BASE_FUEL } }));
  } finally {
    await server.stop();
    rmSync(server.stateDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
