// Database engine benchmark on the real local server (scripts/start.mjs, as `npm start` runs it):
//   1. db_query cost per call, returning 1 row and 100 rows: invocations of a scripted read-only guest making k
//      calls against k = 0 (the invocation itself), so (t(k) - t(0)) / k is the host call alone. Baseline, same run:
//      the same statement run k times with plain sql.exec inside the same database object (a bench-only subclass,
//      test/support/bench-database-worker.ts, started through startLocalRuntime's `main`), timed the same way, so
//      the ratio is what a host call adds over the engine. Also shown: one admin SQL round trip.
//   2. a row API insert with and without a BEFORE trigger (accepting): the trigger's added latency at p50 and p99.
//   3. procedure throughput (transactions/s) on 1, 2 and 4 databases at once, 8 requests in flight in total.
//   4. independence: p50 latency of a plain function and of a procedure on another database, idle and while one
//      database is held by a long transaction (a procedure waiting 1.5 s on an outbound fetch inside it), as a
//      ratio; and, as the control that the lock is real, a procedure on the held database itself.
// Targets are reported, not enforced: trigger +5 ms p50 / +25 ms p99; throughput growing with databases.
//   node scripts/bench-database.mjs [--quick]   (k = 1000 db_query calls per invocation, 100 with --quick)

import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importTypeScript, median, repoRoot } from "./lib/bench-support.mjs";

const quick = process.argv.includes("--quick");
const S = quick ? { runs: 10, calls: 100, writes: 60, seconds: 2 } : { runs: 30, calls: 1000, writes: 300, seconds: 5 };
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

/** The runtime in this process through startLocalRuntime with the bench entry; `allowPrivate`: the slow server. */
async function startServer(allowPrivate) {
  const { startLocalRuntime } = await import("./lib/local-runtime.mjs");
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "helios-bench-db-"));
  const token = randomBytes(16).toString("hex");
  const runtime = await startLocalRuntime({
    port,
    persistTo: stateDir,
    logLevel: "warn",
    main: join(repoRoot, "test/support/bench-database-worker.ts"),
    bindings: { HELIOS_TOKEN: token, HELIOS_SECRETS_KEY: randomBytes(32).toString("base64"), HELIOS_OUTBOUND_ALLOW_PRIVATE: allowPrivate },
  });
  const stop = async () => {
    await runtime.dispose().catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  };
  return { base: runtime.url, token, stop };
}

/** A local "slow upstream": GET /slow?ms=N answers after N ms (what the long transaction waits on). */
async function startSlowServer() {
  const { createServer: createHttpServer } = await import("node:http");
  const server = createHttpServer((req, res) => {
    const ms = Number(new URL(req.url, "http://x").searchParams.get("ms") ?? "1000");
    setTimeout(() => res.end("slow"), ms);
  });
  // 127.0.0.2 (loopback too on Linux): the runtime counts its own address, 127.0.0.1, as itself whatever the port.
  await new Promise((resolve) => server.listen(0, "127.0.0.2", resolve));
  return { host: `127.0.0.2:${server.address().port}`, close: () => new Promise((resolve) => server.close(resolve)) };
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
  const slow = await startSlowServer();
  const server = await startServer(slow.host);
  try {
    const results = {};
    await call(server, "PUT", "/v1/regions/wnam/databases/bench");
    await sqlOn(server, "bench", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price REAL NOT NULL)");
    await sqlOn(server, "bench", "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100) INSERT INTO items (name, price) SELECT 'item ' || i, i * 1.5 FROM c");
    await deploy(server, "bench-reader", await watToBytes(DB_GUEST_WAT["db-read"]), { profile: "database_read", database: "bench", fuel: "100000000", maxResponseBytes: String(8 * 1024 * 1024) });

    // 1. db_query per call.
    const statements = { "1 row": "SELECT id, name, price FROM items WHERE id = 1", "100 rows": "SELECT id, name, price FROM items ORDER BY id LIMIT 100" };
    const invoke = (payload) => call(server, "POST", "/v1/functions/bench-reader/invoke", payload);
    for (const [label, sql] of Object.entries(statements)) {
      const none = script([]);
      const many = script(Array.from({ length: S.calls }, () => ({ op: "query", a: sql })));
      for (let i = 0; i < 3; i++) await invoke(many);
      const exec = (k) => call(server, "POST", `/__bench/sql-exec?db=bench&k=${k}`, sql);
      for (let i = 0; i < 3; i++) await exec(S.calls);
      const base = [];
      const loaded = [];
      const execBase = [];
      const execLoaded = [];
      const admin = [];
      for (let i = 0; i < S.runs; i++) {
        base.push(await timed(() => invoke(none)));
        loaded.push(await timed(() => invoke(many)));
        execBase.push(await timed(() => exec(0)));
        execLoaded.push(await timed(() => exec(S.calls)));
        admin.push(await timed(() => sqlOn(server, "bench", sql)));
      }
      const perCallUs = ((median(loaded) - median(base)) / S.calls) * 1000;
      const execPerCallUs = ((median(execLoaded) - median(execBase)) / S.calls) * 1000;
      results[`db_query ${label}`] = { perCallUs, execPerCallUs, ratio: perCallUs / execPerCallUs, adminRoundTripUs: median(admin) * 1000 };
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

    results.independence = await independence(server, slow.host, watToBytes, DB_GUEST_WAT, script, procs[1]);

    console.log(`\ndb_query per call (µs, k = ${S.calls} calls vs 0), against the same statement with sql.exec inside the same object, k vs 0`);
    for (const [label, r] of Object.entries(results).filter(([k]) => k.startsWith("db_query"))) {
      console.log(`  ${label.padEnd(20)} ${fmt(r.perCallUs, 1).padStart(8)} µs/call   sql.exec ${fmt(r.execPerCallUs, 1)} µs/call   ratio ${fmt(r.ratio, 1)}x   (one admin SQL round trip ${fmt(r.adminRoundTripUs, 0)} µs)`);
    }
    const t = results.trigger;
    console.log(`\nrow API insert: p50 ${fmt(t.p50PlainMs)} ms plain, ${fmt(t.p50TriggerMs)} ms with a trigger (+${fmt(t.addedP50Ms)}, target +${TARGETS.triggerP50Ms}); p99 ${fmt(t.p99PlainMs)} / ${fmt(t.p99TriggerMs)} ms (+${fmt(t.addedP99Ms)}, target +${TARGETS.triggerP99Ms})`);
    console.log("\nprocedure throughput (tx/s, 8 in flight):", Object.entries(results.procedures).map(([k, v]) => `${k}: ${fmt(v, 0)}`).join(", "));
    const ind = results.independence;
    console.log(`\nindependence (p50 ms, idle -> while another database holds a ${HOLD_MS} ms transaction): plain function ${fmt(ind.plain.idle)} -> ${fmt(ind.plain.busy)} (${fmt(ind.plain.ratio)}x); procedure on another database ${fmt(ind.otherDb.idle)} -> ${fmt(ind.otherDb.busy)} (${fmt(ind.otherDb.ratio)}x); control, a procedure on the held database: ${fmt(ind.sameDbMs, 0)} ms`);
    console.log(`\n${JSON.stringify({ database: results })}`);
  } finally {
    await server.stop();
    await slow.close();
  }
}

/** How long the long transaction holds its database (it waits this long on a fetch inside it). */
const HOLD_MS = 1500;

/**
 * Latency of a plain function and of a procedure on another database, idle and while database `hold` is held by a
 * long transaction that waits on I/O (not CPU: locally everything shares one thread, so a CPU-bound hold would
 * measure the machine, not the lock). Sequential calls; "busy" samples are taken only while a hold is in flight.
 */
async function independence(server, slowHost, watToBytes, DB_GUEST_WAT, script, otherProc) {
  await call(server, "PUT", "/v1/regions/wnam/databases/hold");
  await sqlOn(server, "hold", "CREATE TABLE counter (n INTEGER NOT NULL)");
  await sqlOn(server, "hold", "INSERT INTO counter VALUES (0)");
  await deploy(server, "bench-hold", await watToBytes(DB_GUEST_WAT["db-write-net"]), { profile: "database,network,invoke", database: "hold", allowedHosts: slowHost });
  await deploy(server, "bench-hold-peer", await watToBytes(DB_GUEST_WAT["db-write"]), { profile: "database", database: "hold" });
  await deploy(server, "bench-plain", await watToBytes(DB_GUEST_WAT["db-trigger"]), { profile: "compute", config: JSON.stringify({ verdict: '{"verdict":"accept"}' }) });
  const increment = script([{ op: "execute", a: "UPDATE counter SET n = n + 1" }]);
  const hold = script([{ op: "execute", a: "UPDATE counter SET n = n + 1" }, { op: "fetch", a: `http://${slowHost}/slow?ms=${HOLD_MS}` }]);
  const run = (name, payload) => call(server, "POST", `/v1/functions/${name}/invoke`, payload);
  await run("bench-hold", hold);
  await run("bench-hold-peer", increment);
  const samples = async (name, payload, busy) => {
    const out = [];
    while (out.length < S.runs) {
      if (!busy) {
        out.push(await timed(() => run(name, payload)));
        continue;
      }
      let held = true;
      const holding = run("bench-hold", hold).finally(() => (held = false));
      await new Promise((r) => setTimeout(r, 100)); // the hold's transaction is open by now
      while (held && out.length < S.runs) {
        const t = await timed(() => run(name, payload));
        if (held) out.push(t);
      }
      await holding;
    }
    return median(out);
  };
  const result = {};
  for (const [key, name, payload] of [["plain", "bench-plain", new Uint8Array(0)], ["otherDb", otherProc, increment]]) {
    const idle = await samples(name, payload, false);
    const busy = await samples(name, payload, true);
    result[key] = { idle, busy, ratio: busy / idle };
  }
  // Control: the held database itself makes its callers wait for the transaction.
  const holding = run("bench-hold", hold);
  await new Promise((r) => setTimeout(r, 100));
  result.sameDbMs = await timed(() => run("bench-hold-peer", increment));
  await holding;
  return result;
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
