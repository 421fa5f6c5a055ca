// HTTP benchmark of the whole runtime, on the real local server (scripts/start.mjs, as `npm start` runs it: wrangler.toml
// in workerd served by Miniflare directly, no dev proxy):
//   1. warm throughput and p50/p99 latency, in one run with alternating rounds, of
//        bare:     a Worker with no app code served the same way (scripts/lib/local-runtime.mjs startBareWorker),
//                  answering the request body: what workerd and Miniflare's entry cost on their own;
//        baseline: the project's route POST /v1/_baseline/echo (same Worker, same body reading, no sandbox);
//        sandbox:  invoking a trivial function (the `echo` example);
//      with both ratios (baseline/bare, sandbox/baseline); throughput from wrk on loopback, latency from a timed Node
//      client in a run of its own next to each wrk run (both 8 connections, closed loop; the client alone if wrk is
//      not installed; see runNodeLoad for why wrk's latencies are not used, and the in-flight check printed for
//      both); every route first gets one discarded warm-up round under the same load, then the measured rounds
//      alternate, and only those are reported (median per route);
//   2. guest kinds: warm throughput of the C and Rust WASI handlers (modules/examples/c-echo.c, rust-api.rs over
//      ANY /fn/:name, as WASI commands: environ, stdin, stdout with a CGI header block) as ratios against the
//      version-1 echo in the same run (skipped with a message when they were not built: no clang or rustc);
//   3. cold start: latency of the first invocation after a deploy, p50 over fresh modules of about 100 KB and
//      1 MB of code (each module is new). The deploy prepares the new version in the Worker isolate that processed
//      it before answering (module read, isolate start, compile: docs/architecture.md, "The hot path"), so that
//      cost is in the deploy's answer time, reported next to it; another isolate's first invocation pays it itself.
// Prints a table, the ratios, and a JSON summary. Targets (issue 8) are reported, not enforced.
//   node scripts/bench-http.mjs [--quick]

import { spawn, spawnSync } from "node:child_process";
import { randomBytes, createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { importTypeScript, median, repoRoot } from "./lib/bench-support.mjs";
import { startBareWorker } from "./lib/local-runtime.mjs";

const quick = process.argv.includes("--quick");
const SETTINGS = quick
  ? { rounds: 1, seconds: 3, warmupSeconds: 2, connections: 8, coldSamples: 3 }
  : { rounds: 2, seconds: 8, warmupSeconds: 3, connections: 8, coldSamples: 9 };
const TARGETS = { sandboxVsBaseline: 0.6, sandboxVsBaselineStretch: 0.8, baselineVsBare: 0.85, sandboxP99Ms: 50, cold100kMs: 5, cold1mMs: 25 };
const PAYLOAD = "x".repeat(64);

const fmt = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
const sha256 = (bytes) => createHash("sha256").update(bytes).digest("hex");

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Bundles the TypeScript guest generators (Node 20 cannot import .ts). */
function loadGuestGenerators() {
  return importTypeScript("guest-modules", [`export * from "./test/support/guest-modules.ts";`], { external: true });
}

async function startServer() {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "helios-bench-"));
  const token = randomBytes(16).toString("hex");
  const child = spawn(
    process.execPath,
    ["scripts/start.mjs", "--port", String(port), "--persist-to", stateDir, "--no-watch", "--no-examples", "--log-level", "warn"],
    { cwd: repoRoot, env: { ...process.env, HELIOS_TOKEN: token }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  try {
    await new Promise((ready, fail) => {
      const timer = setInterval(() => output.includes("Helios Edge ready at") && (clearInterval(timer), ready()), 100);
      child.once("exit", (code) => (clearInterval(timer), fail(new Error(`server exited (${code}):\n${output}`))));
    });
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { baseUrl: `http://127.0.0.1:${port}`, token, stop, output: () => output };
}

/** fetch, retried once when a pooled keep-alive connection turns out closed (the server drops idle ones while wrk runs). */
async function fetchOnce(url, init) {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (error.cause?.code !== "UND_ERR_SOCKET") throw error;
    return fetch(url, init);
  }
}

async function deploy(server, name, bytes, query = "") {
  const response = await fetchOnce(`${server.baseUrl}/v1/functions/${name}?regions=wnam${query}`, {
    method: "PUT",
    body: bytes,
    headers: { authorization: `Bearer ${server.token}`, "content-type": "application/wasm", "x-helios-sha256": sha256(bytes) },
  });
  if (!response.ok) throw new Error(`deploy ${name}: ${response.status} ${await response.text()}`);
}

async function post(url, body) {
  const response = await fetchOnce(url, { method: "POST", body });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${new TextDecoder().decode(bytes)}`);
  return bytes;
}

const hasWrk = spawnSync("wrk", ["--version"]).error === undefined;

const MS = { us: 0.001, ms: 1, s: 1000 };

/** wrk: requests/s, and the mean latency it reports (only to show the in-flight check; its percentiles are not used). */
function runWrk(url, seconds) {
  const script = join(repoRoot, "modules", "build", ".bench", "post.lua");
  writeFileSync(script, `wrk.method = "POST"\nwrk.body = "${PAYLOAD}"\n`);
  const result = spawnSync("wrk", ["-t1", `-c${SETTINGS.connections}`, `-d${seconds}s`, "-s", script, url], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`);
  const out = result.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const mean = /^\s+Latency\s+([\d.]+)(us|ms|s)/m.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  if (non2xx > 0) throw new Error(`wrk saw ${non2xx} failed responses from ${url}`);
  const meanMs = mean ? Number(mean[1]) * MS[mean[2]] : NaN;
  return { rps, inFlight: (meanMs * rps) / 1000 };
}

/**
 * The latency instrument: a closed loop of `connections` keep-alive connections (node:http), each POSTing back to
 * back for `seconds`, every request timed from write to the end of its answer. Its own check is Little's law: in a
 * closed loop mean latency x rate is the number of requests in flight, which must come out at `connections`.
 * (wrk 4.1's latencies fail that check against workerd on this kind of machine: a mean of 6 ms at 8,000 req/s
 * would mean 48 requests in flight on 8 connections; its request counts agree with this client's.)
 */
async function runNodeLoad(url, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: SETTINGS.connections });
  const once = () =>
    new Promise((resolve, reject) => {
      const request = http.request(url, { method: "POST", agent, headers: { "content-length": PAYLOAD.length } }, (response) => {
        if (response.statusCode < 200 || response.statusCode > 299) reject(new Error(`POST ${url}: ${response.statusCode}`));
        response.resume();
        response.on("end", resolve);
      });
      request.on("error", reject);
      request.end(PAYLOAD);
    });
  const latencies = [];
  const deadline = performance.now() + seconds * 1000;
  try {
    await Promise.all(
      Array.from({ length: SETTINGS.connections }, async () => {
        while (performance.now() < deadline) {
          const started = performance.now();
          await once();
          latencies.push(performance.now() - started);
        }
      }),
    );
  } finally {
    agent.destroy();
  }
  latencies.sort((a, b) => a - b);
  const rps = latencies.length / seconds;
  const meanMs = latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length;
  return { rps, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)], inFlight: (meanMs * rps) / 1000 };
}

/** Throughput from wrk when installed (lighter on the shared cores), latency from the timed client, each in its own run. */
async function load(url, seconds) {
  const timed = await runNodeLoad(url, seconds);
  if (!hasWrk) return { rps: timed.rps, p50: timed.p50, p99: timed.p99, inFlight: timed.inFlight, wrkInFlight: NaN };
  const wrk = runWrk(url, seconds);
  return { rps: wrk.rps, p50: timed.p50, p99: timed.p99, inFlight: timed.inFlight, wrkInFlight: wrk.inFlight };
}

const summarize = (list) => Object.fromEntries(["rps", "p50", "p99", "inFlight", "wrkInFlight"].map((key) => [key, median(list.map((r) => r[key]))]));

/**
 * One discarded warm-up round per route (same load, warmupSeconds long: JIT tiers, connection pools, isolate and
 * deployment caches, the allocator), then `rounds` alternating measured rounds; only the measured ones are kept.
 * A tail that recurs in a warmed-up route is in every measured round, so it still shows in p99.
 */
async function alternatingRounds(routes) {
  for (const url of Object.values(routes)) await load(url, SETTINGS.warmupSeconds);
  const runs = Object.fromEntries(Object.keys(routes).map((route) => [route, []]));
  for (let round = 0; round < SETTINGS.rounds; round++) {
    for (const [route, url] of Object.entries(routes)) runs[route].push(await load(url, SETTINGS.seconds));
  }
  return Object.fromEntries(Object.entries(runs).map(([route, list]) => [route, summarize(list)]));
}

async function warmThroughput(server, bare) {
  const routes = {
    bare: `${bare.url}/`,
    baseline: `${server.baseUrl}/v1/_baseline/echo`,
    sandbox: `${server.baseUrl}/v1/functions/bench-echo/invoke?region=wnam`,
  };
  // Same bytes back from every route, and all warm.
  for (const url of Object.values(routes)) {
    for (let i = 0; i < 200; i++) {
      const output = new TextDecoder().decode(await post(url, PAYLOAD));
      if (output !== PAYLOAD) throw new Error(`${url} answered ${JSON.stringify(output)}`);
    }
  }
  return alternatingRounds(routes);
}

const C_ECHO = join(repoRoot, "modules", "build", "examples", "c-echo.wasm");
const RUST_API = join(repoRoot, "modules", "build", "examples", "rust-api.wasm");

/** The C and Rust WASI handlers against the version-1 echo, alternating rounds, median; null without their builds. */
async function guestThroughput(server) {
  if (!existsSync(C_ECHO) || !existsSync(RUST_API)) return null;
  const routes = {
    v1Echo: `${server.baseUrl}/v1/functions/bench-echo/invoke?region=wnam`,
    wasiC: `${server.baseUrl}/fn/bench-c-echo/bench?q=1`,
    wasiRust: `${server.baseUrl}/fn/bench-rust-api/length`,
  };
  for (const url of Object.values(routes)) for (let i = 0; i < 100; i++) await post(url, PAYLOAD);
  const echoed = JSON.parse(new TextDecoder().decode(await post(routes.wasiC, PAYLOAD)));
  if (echoed.body !== PAYLOAD || echoed.method !== "POST") throw new Error(`c-echo answered ${JSON.stringify(echoed)}`);
  const measured = JSON.parse(new TextDecoder().decode(await post(routes.wasiRust, PAYLOAD)));
  if (measured.bytes !== PAYLOAD.length) throw new Error(`rust-api answered ${JSON.stringify(measured)}`);
  const { v1Echo, wasiC, wasiRust } = await alternatingRounds(routes);
  return { v1Echo, wasiC, wasiRust, wasiCRatio: wasiC.rps / v1Echo.rps, wasiRustRatio: wasiRust.rps / v1Echo.rps };
}

async function coldStarts(server, sizedGuest) {
  const results = {};
  for (const [label, target] of [["100KB", 100_000], ["1MB", 1_000_000]]) {
    const first = [];
    const second = [];
    const deploys = [];
    let size = 0;
    for (let i = 0; i < SETTINGS.coldSamples; i++) {
      const bytes = await sizedGuest(target, Date.now() % 1_000_000 + i);
      size = bytes.length;
      const name = `cold-${label.toLowerCase()}-${i}`;
      const deployStarted = performance.now();
      await deploy(server, name, bytes);
      deploys.push(performance.now() - deployStarted);
      const url = `${server.baseUrl}/v1/functions/${name}/invoke?region=wnam`;
      let started = performance.now();
      await post(url, PAYLOAD);
      first.push(performance.now() - started);
      started = performance.now();
      await post(url, PAYLOAD);
      second.push(performance.now() - started);
    }
    results[label] = { moduleBytes: size, firstP50: median(first), warmP50: median(second), deployP50: median(deploys), samples: first.length };
  }
  return results;
}

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((cell, c) => String(cell).padEnd(widths[c])).join("  ")).join("\n");
}

async function main() {
  const { sizedGuest } = await loadGuestGenerators();
  const server = await startServer();
  const bare = await startBareWorker({ port: await freePort(), logLevel: "warn" });
  try {
    await deploy(server, "bench-echo", readFileSync(join(repoRoot, "modules", "build", "examples", "echo.wasm")));
    if (existsSync(C_ECHO)) await deploy(server, "bench-c-echo", readFileSync(C_ECHO), "&profile=wasi");
    if (existsSync(RUST_API)) await deploy(server, "bench-rust-api", readFileSync(RUST_API), "&profile=wasi");
    const warm = await warmThroughput(server, bare);
    const guests = await guestThroughput(server);
    const cold = await coldStarts(server, sizedGuest);

    const ratio = warm.sandbox.rps / warm.baseline.rps;
    const baselineRatio = warm.baseline.rps / warm.bare.rps;
    const load = loadavg()[0];
    const met = (ok) => (ok ? "met" : "MISSED");
    console.log(`\nWarm throughput (${hasWrk ? "req/s from wrk -t1, latency from the timed Node client" : "Node client (wrk not found)"}, ${SETTINGS.connections} connections, ` +
      `${SETTINGS.seconds}s x ${SETTINGS.rounds} alternating rounds after one discarded ${SETTINGS.warmupSeconds}s warm-up round per route; ` +
      `median of the measured rounds only; ${PAYLOAD.length}-byte POST; all served by Miniflare directly)`);
    console.log(table([
      ["route", "req/s", "p50 ms", "p99 ms"],
      ["bare     Worker without app code", fmt(warm.bare.rps, 0), fmt(warm.bare.p50), fmt(warm.bare.p99)],
      ["baseline POST /v1/_baseline/echo", fmt(warm.baseline.rps, 0), fmt(warm.baseline.p50), fmt(warm.baseline.p99)],
      ["sandbox  POST /v1/functions/bench-echo/invoke", fmt(warm.sandbox.rps, 0), fmt(warm.sandbox.p50), fmt(warm.sandbox.p99)],
    ]));
    console.log(`baseline/bare ${fmt(baselineRatio, 3)} (target >= ${TARGETS.baselineVsBare}: ${met(baselineRatio >= TARGETS.baselineVsBare)}); ` +
      `sandbox/baseline ${fmt(ratio, 3)} (target >= ${TARGETS.sandboxVsBaseline}: ${met(ratio >= TARGETS.sandboxVsBaseline)}, ` +
      `stretch ${TARGETS.sandboxVsBaselineStretch}: ${met(ratio >= TARGETS.sandboxVsBaselineStretch)}); ` +
      `sandbox p99 ${fmt(warm.sandbox.p99)} ms (target < ${TARGETS.sandboxP99Ms}: ${met(warm.sandbox.p99 < TARGETS.sandboxP99Ms)})`);
    const inFlight = (key) => ["bare", "baseline", "sandbox"].map((route) => `${route} ${fmt(warm[route][key], 1)}`).join(", ");
    console.log(`latency check, mean latency x rate = requests in flight (closed loop: ${SETTINGS.connections} expected): timed client ${inFlight("inFlight")}` +
      (hasWrk ? `; wrk's own figures would give ${inFlight("wrkInFlight")} (not used)` : ""));

    if (guests === null) console.log("\nGuest kinds: skipped (c-echo.wasm or rust-api.wasm not built: clang or rustc with wasm32-wasi not installed)");
    else {
      console.log(`\nGuest kinds: warm throughput against the version-1 echo in the same run (same load and warm-up, median of the measured rounds)`);
      console.log(table([
        ["guest", "req/s", "p50 ms", "p99 ms", "ratio"],
        ["v1 echo  POST /v1/functions/bench-echo/invoke", fmt(guests.v1Echo.rps, 0), fmt(guests.v1Echo.p50), fmt(guests.v1Echo.p99), "1.000"],
        ["C WASI   POST /fn/bench-c-echo/bench", fmt(guests.wasiC.rps, 0), fmt(guests.wasiC.p50), fmt(guests.wasiC.p99), fmt(guests.wasiCRatio, 3)],
        ["Rust WASI POST /fn/bench-rust-api/length", fmt(guests.wasiRust.rps, 0), fmt(guests.wasiRust.p50), fmt(guests.wasiRust.p99), fmt(guests.wasiRustRatio, 3)],
      ]));
    }

    console.log(`\nCold start: first invocation after deploy (client-side, p50 of ${SETTINGS.coldSamples} fresh modules; the deploy prepares the ` +
      `isolate that processed it, so its answer time is shown too)`);
    console.log(table([
      ["module", "bytes", "first p50 ms", "second p50 ms", "deploy p50 ms", "target"],
      ["100KB", cold["100KB"].moduleBytes, fmt(cold["100KB"].firstP50), fmt(cold["100KB"].warmP50), fmt(cold["100KB"].deployP50), `< ${TARGETS.cold100kMs} ms: ${cold["100KB"].firstP50 < TARGETS.cold100kMs ? "met" : "MISSED"}`],
      ["1MB", cold["1MB"].moduleBytes, fmt(cold["1MB"].firstP50), fmt(cold["1MB"].warmP50), fmt(cold["1MB"].deployP50), `< ${TARGETS.cold1mMs} ms: ${cold["1MB"].firstP50 < TARGETS.cold1mMs ? "met" : "MISSED"}`],
    ]));
    if (load > availableParallelism()) console.log(`\nwarning: load average ${load.toFixed(1)} exceeds ${availableParallelism()} cores; timings are unreliable`);

    console.log("\nJSON summary");
    console.log(JSON.stringify({ quick, loadGenerator: hasWrk ? "wrk" : "node", settings: SETTINGS, warm, baselineVsBare: baselineRatio, sandboxVsBaseline: ratio, guests, cold, targets: TARGETS, loadAverage: load }, null, 2));
  } catch (error) {
    console.error(`server output (last lines):\n${server.output().split("\n").slice(-40).join("\n")}`);
    throw error;
  } finally {
    await Promise.all([server.stop(), bare.dispose()]);
  }
}

main().catch((error) => {
  console.error(`bench-http failed: ${error.stack ?? error.message}${error.cause ? `\ncause: ${error.cause.stack ?? error.cause}` : ""}`);
  process.exit(1);
});
