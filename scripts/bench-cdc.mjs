// Change data capture benchmark on the real local server (scripts/start.mjs, as `npm start` runs it):
//   1. Write throughput of one database (1-row INSERTs over the admin SQL route, 8 in flight), every write captured
//      in the change log. Capture cannot be switched off (it is the outbox: same transaction, native triggers), so
//      the baseline, same run, same route, same object, same concurrency, is a write statement that changes no row
//      (an INSERT ... SELECT ... WHERE 0: statement checks, the change-tx context row, RPC, commit, output gate,
//      but no user row and no log row). The gap is therefore an upper bound on the log's cost: it also holds the
//      user row's own write. Target: the log costs at most 10% of write throughput.
//   2. Lag from commit to a consumer at p50/p99, at 10, 100 and 500 writes/s: the consumer is a long-poll reader
//      (GET .../changes?wait=30 in a loop); lag = when the reader has the entry - the entry's committedAt (stamped
//      in the object when the transaction began; both clocks are this machine's). Subscriptions (function
//      consumers) are measured here once they exist on main. Targets: p50 <= 100 ms, p99 <= 1 s.
//   node scripts/bench-cdc.mjs [--quick]

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./lib/bench-support.mjs";

const quick = process.argv.includes("--quick");
const S = quick ? { seconds: 2, lagSeconds: 2, inFlight: 8 } : { seconds: 6, lagSeconds: 6, inFlight: 8 };
const RATES = [10, 100, 500];
const MAX_WRITES_IN_FLIGHT = 32;
const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

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

async function startServer() {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "helios-bench-cdc-"));
  const token = randomBytes(16).toString("hex");
  const child = spawn(
    process.execPath,
    ["scripts/start.mjs", "--port", String(port), "--persist-to", stateDir, "--no-watch", "--no-examples", "--log-level", "warn"],
    { cwd: repoRoot, env: { ...process.env, HELIOS_TOKEN: token }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  await new Promise((ready, fail) => {
    const timer = setInterval(() => output.includes("Helios Edge ready at") && (clearInterval(timer), ready()), 100);
    child.once("exit", (code) => (clearInterval(timer), fail(new Error(`server exited (${code}):\n${output}`))));
  });
  const stop = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
    }
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { base: `http://127.0.0.1:${port}`, token, stop };
}

async function call(server, method, path, body) {
  const headers = { authorization: `Bearer ${server.token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) };
  const response = await fetch(`${server.base}${path}`, { method, body, headers });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text === "" ? null : JSON.parse(text);
}

const dbPath = (db) => `/v1/regions/wnam/databases/${db}`;
const sqlOn = (server, db, sql, params = []) => call(server, "POST", `${dbPath(db)}/sql`, JSON.stringify({ sql, params }));

/** Statements completed per second over `seconds`, `inFlight` at a time. */
async function throughput(server, db, sql, seconds, inFlight) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    for (let i = 0; performance.now() < end; i++) {
      await sqlOn(server, db, sql, [`v-${i}`]);
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  return done / ((performance.now() - started) / 1000);
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Writes at `rate`/s for `seconds` (open loop) while a long-poll reader follows; lag per entry, sorted. */
async function lagAt(server, db, rate, seconds) {
  const head = (await call(server, "GET", `${dbPath(db)}/changes?after=0&limit=1`)).headSeq;
  const total = Math.max(5, Math.round(rate * seconds));
  const lags = [];
  let stop = false;
  const reader = (async () => {
    let after = head;
    while (!stop || after < head + total) {
      const page = await call(server, "GET", `${dbPath(db)}/changes?after=${after}&limit=1000&wait=5`);
      const now = Date.now();
      for (const change of page.changes) lags.push(now - Date.parse(change.committedAt));
      if (page.changes.length > 0) after = page.changes[page.changes.length - 1].seq;
      if (stop && page.changes.length === 0) break;
    }
  })();
  const started = performance.now();
  // Open loop on a schedule, at most MAX_WRITES_IN_FLIGHT requests open (more only resets connections locally):
  // when the server cannot keep up, the achieved rate says so.
  const writes = new Set();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (writes.size >= MAX_WRITES_IN_FLIGHT) await Promise.race(writes);
    const write = sqlOn(server, db, "INSERT INTO t (v) VALUES (?)", [`lag-${i}`]).finally(() => writes.delete(write));
    writes.add(write);
  }
  await Promise.all(writes);
  const achieved = total / ((performance.now() - started) / 1000);
  stop = true;
  await reader;
  return { sorted: lags.sort((a, b) => a - b), achieved, total };
}

async function main() {
  const server = await startServer();
  try {
    const main = (await import("node:child_process")).execSync("git log --oneline -200 main 2>/dev/null || true", { cwd: repoRoot }).toString();
    const subscriptions = /subscription/i.test(main) && /PUT .*subscriptions|subscriptions:/i.test(main);
    const db = `bench_cdc_${Date.now().toString(36)}`;
    await call(server, "PUT", dbPath(db));
    await sqlOn(server, db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)");
    // Warm-up: the object, its statement cache and the route.
    await throughput(server, db, "INSERT INTO t (v) VALUES (?)", 0.5, S.inFlight);
    const baseline = await throughput(server, db, "INSERT INTO t (v) SELECT ? WHERE 0", S.seconds, S.inFlight);
    const captured = await throughput(server, db, "INSERT INTO t (v) VALUES (?)", S.seconds, S.inFlight);
    const cost = 1 - captured / baseline;
    console.log(`bench-cdc: write throughput, one database, ${S.inFlight} in flight, ${S.seconds} s each (node scripts/bench-cdc.mjs${quick ? " --quick" : ""})`);
    console.log(`  0-row write statements (baseline, no user row, no log row): ${fmt(baseline)} /s`);
    console.log(`  1-row INSERTs, each captured in the change log:            ${fmt(captured)} /s`);
    console.log(`  ratio ${fmt(captured / baseline, 3)}: the log plus the row itself cost ${fmt(cost * 100)}% (target: log <= 10%) ${cost <= 0.1 ? "ok" : "OVER (an upper bound: it includes the user row's write)"}`);
    console.log(subscriptions ? "  (subscriptions on main: see the subscription benchmark)" : "  0 subscriptions: subscriptions are not on main yet, so the 1- and 4-subscription runs are not measured");
    console.log(`lag commit -> long-poll reader (GET .../changes?wait=), ${S.lagSeconds} s per rate:`);
    for (const rate of RATES) {
      const { sorted, achieved, total } = await lagAt(server, db, rate, S.lagSeconds);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      const ok = p50 <= 100 && p99 <= 1000;
      console.log(`  ${String(rate).padStart(3)} writes/s (achieved ${fmt(achieved)}): ${sorted.length}/${total} entries read, p50 ${fmt(p50, 0)} ms, p99 ${fmt(p99, 0)} ms ${ok ? "ok" : "OVER target (p50 <= 100 ms, p99 <= 1 s)"}`);
    }
  } finally {
    await server.stop();
  }
}

await main();
