// Memory of the local server (scripts/start.mjs, as `npm start` runs it: resident memory of it and all its
// descendants, workerd included) across many deploys of distinct modules, each invoked once (so its sandbox isolate
// starts) and then deleted or superseded. Isolates of deleted and superseded versions must be released: the growth
// per deploy, after a warm-up, is what docs/limits.md ("Sandbox isolates") bounds.
//   node scripts/bench-isolates.mjs [--quick] [--deploys=N]
// Prints resident memory every 100 deploys, the growth past the first 100, and a JSON summary.

import { createHash } from "node:crypto";
import { rmSync } from "node:fs";
import { startLocalServer, treeRssBytes } from "./bench-local-server.mjs";
import wabt from "wabt";

const quick = process.argv.includes("--quick");
const deploysArg = process.argv.find((a) => a.startsWith("--deploys="));
const DEPLOYS = deploysArg ? Number(deploysArg.slice(10)) : quick ? 100 : 600;
const STEP = quick ? 25 : 100;
const MIB = 1024 * 1024;

const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

async function main() {
  const toolkit = await wabt();
  // A guest answering a constant, with 64 KiB of data and 200 small functions: every seed gives new bytes.
  const guest = (seed) =>
    toolkit
      .parseWat(
        "g.wat",
        `(module (memory (export "memory") 2)
          (data (i32.const 1024) "${String(seed).padStart(8, "0").repeat(8192)}")
          (func (export "helios_alloc") (param i32) (result i32) (i32.const 70000))
          ${Array.from({ length: 200 }, (_, f) => `(func (param i32) (result i32) (i32.add (local.get 0) (i32.const ${seed * 1000 + f})))`).join("\n")}
          (func (export "handle") (param i32 i32) (result i64) (i64.const ${(1024n << 32n) | 8n})))`,
      )
      .toBinary({}).buffer;
  const server = await startLocalServer();
  const auth = { authorization: `Bearer ${server.token}` };
  const deploy = async (name, bytes) => {
    const response = await fetch(`${server.baseUrl}/v1/functions/${name}`, {
      method: "PUT",
      body: bytes,
      headers: { ...auth, "content-type": "application/wasm", "x-helios-sha256": sha256(bytes) },
    });
    if (!response.ok) throw new Error(`deploy ${name}: ${response.status} ${await response.text()}`);
  };
  const invoke = async (name) => {
    const response = await fetch(`${server.baseUrl}/v1/functions/${name}/invoke`, { method: "POST", body: "x" });
    if (!response.ok) throw new Error(`invoke ${name}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  const remove = async (name) => {
    const response = await fetch(`${server.baseUrl}/v1/functions/${name}`, { method: "DELETE", headers: auth });
    if (!response.ok) throw new Error(`delete ${name}: ${response.status} ${await response.text()}`);
  };

  try {
    const samples = [{ deploys: 0, rss: treeRssBytes(server.child.pid) }];
    const started = performance.now();
    for (let i = 1; i <= DEPLOYS; i++) {
      // Different bytes every time: a new module, a new isolate key.
      const bytes = guest(i);
      if (i % 2 === 1) {
        // Deleted as it goes.
        await deploy(`iso-${i}`, bytes);
        await invoke(`iso-${i}`);
        await remove(`iso-${i}`);
      } else {
        // Superseded: one name redeployed over and over.
        await deploy("iso-superseded", bytes);
        await invoke("iso-superseded");
      }
      if (i % STEP === 0) {
        samples.push({ deploys: i, rss: treeRssBytes(server.child.pid) });
        console.log(`  ${String(i).padStart(4)} deploys: ${(samples.at(-1).rss / MIB).toFixed(0)} MiB resident`);
      }
    }
    const seconds = (performance.now() - started) / 1000;
    const base = samples.find((s) => s.deploys === STEP) ?? samples[0];
    const last = samples.at(-1);
    const growthPerDeploy = (last.rss - base.rss) / Math.max(1, last.deploys - base.deploys);
    console.log(`bench-isolates (${DEPLOYS} deploys of ~70 KB modules, half deleted, half superseded, each invoked once; ${seconds.toFixed(0)} s)`);
    console.log(`  start ${(samples[0].rss / MIB).toFixed(0)} MiB, after ${base.deploys}: ${(base.rss / MIB).toFixed(0)} MiB, after ${last.deploys}: ${(last.rss / MIB).toFixed(0)} MiB`);
    console.log(`  growth past the first ${base.deploys}: ${(growthPerDeploy / 1024).toFixed(1)} KiB per deploy`);
    console.log(JSON.stringify({ isolates: { deploys: DEPLOYS, samples, growthPerDeployBytes: growthPerDeploy } }));
  } catch (error) {
    console.error(`the server's last output:\n${server.output().split("\n").filter((l) => !l.includes("[wrangler:info]")).slice(-40).join("\n")}`);
    throw error;
  } finally {
    await server.stop();
    rmSync(server.stateDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
