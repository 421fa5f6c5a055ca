// Database engine benchmark on the real local server (scripts/start.mjs, as `npm start` runs it):
//   1. db_query cost per call, returning 1 row and 100 rows: invocations of a scripted read-only guest making N
//      calls against N = 0 (the invocation itself), so (t(N) - t(0)) / N is the host call alone. Baseline, same run:
//      the same statement through the admin SQL route (one sql.exec per HTTP request; a Worker's clock does not
//      advance during synchronous code, so sql.exec cannot be timed inside the object itself).
//   2. a row API insert with and without a BEFORE trigger (accepting): the trigger's added latency at p50 and p99.
//   3. procedure throughput (transactions/s) on 1, 2 and 4 databases at once, 8 requests in flight in total.
// Targets are reported, not enforced: trigger +5 ms p50 / +25 ms p99; throughput growing with databases.
//   node scripts/bench-database.mjs [--quick]

import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importTypeScript, median, repoRoot } from "./lib/bench-support.mjs";

const quick = process.argv.includes("--quick");
const S = quick ? { runs: 10, calls: 20, writes: 60, seconds: 2 } : { runs: 30, calls: 50, writes: 300, seconds: 5 };
const TARGETS = { triggerP50Ms: 5, triggerP99Ms: 25 };
const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
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

async function startServer() {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "helios-bench-db-"));
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

async function call(server, method, path, body, headers = {}) {
  const response = await fetch(`${server.base}${path}`, { method, body, headers: { authorization: `Bearer ${server.token}`, ...headers } });
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${new TextDecoder().decode(bytes)}`);
  return bytes;
}

const json = (value) => ({ body: JSON.stringify(value), headers: { "content-type": "application/json" } });
const sqlOn = (server, db, sql, params = []) => call(server, "POST", `/v1/regions/wnam/databases/${db}/sql`, JSON.stringify({ sql, params }), { "content-type": "application/json" });

async function deploy(server, name, bytes, query) {
  const qs = new URLSearchParams({ regions: "wnam", ...query }).toString();
  await call(server, "PUT", `/v1/functions/${name}?${qs}`, bytes, { "content-type": "application/wasm", "x-helios-sha256": sha256(bytes) });
}

async function timed(fn) {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function main() {
  const { DB_GUEST_WAT, script, watToBytes } = await importTypeScript(
    "db-guests",
    [`export * from "./test/support/db-guests.ts";`, `export { watToBytes } from "./src/wasm/fixtures.ts";`],
    { external: true },
  );
  const server = await startServer();
  try {
    const results = {};
    await call(server, "PUT", "/v1/regions/wnam/databases/bench");
    await sqlOn(server, "bench", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)");
    await sqlOn(server, "bench", "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100) INSERT INTO items (name, price) SELECT 'item ' || i, i * 1.5 FROM c");
    await deploy(server, "bench-reader", await watToBytes(DB_GUEST_WAT["db-read"]), { profile: "database_read", database: "bench", fuel: "100000000" });

    // 1. db_query per call.
    const statements = { "1 row": "SELECT id, name, price FROM items WHERE id = 1", "100 rows": "SELECT id, name, price FROM items ORDER BY id LIMIT 100" };
    const invoke = (payload) => call(server, "POST", "/v1/functions/bench-reader/invoke", payload);
    for (const [label, sql] of Object.entries(statements)) {
      const none = script([]);
      const many = script(Array.from({ length: S.calls }, () => ({ op: "query", a: sql })));
      for (let i = 0; i < 3; i++) await invoke(many);
      const base = [];
      const loaded = [];
      const admin = [];
      for (let i = 0; i < S.runs; i++) {
        base.push(await timed(() => invoke(none)));
        loaded.push(await timed(() => invoke(many)));
        admin.push(await timed(() => sqlOn(server, "bench", sql)));
      }
      const perCallUs = ((median(loaded) - median(base)) / S.calls) * 1000;
      results[`db_query ${label}`] = { perCallUs, adminRoundTripUs: median(admin) * 1000 };
    }

    // 2. Row API insert with and without a BEFORE trigger.
    await sqlOn(server, "bench", "CREATE TABLE plain (id INTEGER PRIMARY KEY, total REAL NOT NULL)");
    await sqlOn(server, "bench", "CREATE TABLE guarded (id INTEGER PRIMARY KEY, total REAL NOT NULL)");
    await deploy(server, "bench-accept", await watToBytes(DB_GUEST_WAT["db-trigger"]), { profile: "compute", config: JSON.stringify({ verdict: '{"verdict":"accept"}' }) });
    await call(server, "PUT", "/v1/regions/wnam/databases/bench/triggers/accept-all", ...Object.values(json({ table: "guarded", events: ["insert"], function: "bench-accept", timing: "before" })));
    const insert = (table) => call(server, "POST", `/v1/regions/wnam/databases/bench/tables/${table}/rows`, ...Object.values(json({ total: 5 })));
    for (let i = 0; i < 10; i++) await Promise.all([insert("plain"), insert("guarded")]);
    const plain = [];
    const guarded = [];
    for (let i = 0; i < S.writes; i++) {
      plain.push(await timed(() => insert("plain")));
      guarded.push(await timed(() => insert("guarded")));
    }
    results.trigger = {
      p50PlainMs: percentile(plain, 0.5),
      p50TriggerMs: percentile(guarded, 0.5),
      p99PlainMs: percentile(plain, 0.99),
      p99TriggerMs: percentile(guarded, 0.99),
    };
    results.trigger.addedP50Ms = results.trigger.p50TriggerMs - results.trigger.p50PlainMs;
    results.trigger.addedP99Ms = results.trigger.p99TriggerMs - results.trigger.p99PlainMs;

    // 3. Procedure throughput on 1, 2 and 4 databases.
    const increment = script([{ op: "execute", a: "UPDATE counter SET n = n + 1" }]);
    const procs = [];
    for (let i = 0; i < 4; i++) {
      const db = `tp${i}`;
      await call(server, "PUT", `/v1/regions/wnam/databases/${db}`);
      await sqlOn(server, db, "CREATE TABLE counter (n INTEGER NOT NULL)");
      await sqlOn(server, db, "INSERT INTO counter VALUES (0)");
      await deploy(server, `bench-proc-${i}`, await watToBytes(DB_GUEST_WAT["db-write"]), { profile: "database", database: db });
      await call(server, "POST", `/v1/functions/bench-proc-${i}/invoke`, increment);
      procs.push(`bench-proc-${i}`);
    }
    const throughput = async (names, payload) => {
      const deadline = performance.now() + S.seconds * 1000;
      let done = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (performance.now() < deadline) {
            await call(server, "POST", `/v1/functions/${names[next++ % names.length]}/invoke`, payload);
            done++;
          }
        }),
      );
      return done / S.seconds;
    };
    // Baseline, same run: a plain function (no database) under the same load.
    results.procedures = { "plain function (baseline)": await throughput(["bench-accept"], new Uint8Array(0)) };
    for (const count of [1, 2, 4]) results.procedures[`${count} db`] = await throughput(procs.slice(0, count), increment);

    console.log("\ndb_query per call (µs), against the same statement through the admin SQL route (one sql.exec per request)");
    for (const [label, r] of Object.entries(results).filter(([k]) => k.startsWith("db_query"))) {
      console.log(`  ${label.padEnd(20)} ${fmt(r.perCallUs, 0).padStart(8)} µs/call   admin route ${fmt(r.adminRoundTripUs, 0)} µs   ratio ${fmt(r.perCallUs / r.adminRoundTripUs)}`);
    }
    const t = results.trigger;
    console.log(`\nrow API insert: p50 ${fmt(t.p50PlainMs)} ms plain, ${fmt(t.p50TriggerMs)} ms with a trigger (+${fmt(t.addedP50Ms)}, target +${TARGETS.triggerP50Ms}); p99 ${fmt(t.p99PlainMs)} / ${fmt(t.p99TriggerMs)} ms (+${fmt(t.addedP99Ms)}, target +${TARGETS.triggerP99Ms})`);
    console.log("\nprocedure throughput (tx/s, 8 in flight):", Object.entries(results.procedures).map(([k, v]) => `${k}: ${fmt(v, 0)}`).join(", "));
    console.log(`\n${JSON.stringify({ database: results })}`);
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
