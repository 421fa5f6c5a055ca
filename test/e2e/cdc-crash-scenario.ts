// Crash durability of subscriptions against the real local server (shared by test/e2e/cdc-durability.test.ts and
// `npm run soak`, scripts/soak-cdc.mjs). A writer streams inserts (and statements that fail half-way, so are rolled
// back) into a database while a subscription feeds them to a consumer that posts every batch to a sink this process
// runs; in the middle of delivery the server and its workerd are SIGKILLed, then restarted on the same persisted
// state, `kills` times. A watcher polls the subscription's cursor all along. Afterwards the report says whether every
// committed seq was delivered at least once, in order, with the cursor never going back and nothing rolled back
// delivered, and counts duplicates and the worst commit-to-delivery lag.

import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { watToBytes } from "../../src/wasm/fixtures.ts";
import { CDC_GUEST_WAT } from "../support/cdc-guests.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

export interface CrashScenarioOptions {
  kills: number;
  /** Writes attempted per round (a round ends early with its kill). */
  writesPerRound?: number;
  log?: (line: string) => void;
}

export interface CrashReport {
  kills: number;
  /** Seqs the log holds after the subscription was made (every one a committed insert). */
  committed: number;
  deliveries: number;
  duplicates: number;
  missing: number[];
  /** Deliveries that skipped ahead of a seq not yet delivered, or a batch out of order. */
  outOfOrder: string[];
  /** Cursor readings lower than an earlier one. */
  cursorWentBack: string[];
  rolledBackDelivered: number;
  /** Delivered ids that are not rows of the table. */
  phantom: number[];
  worstLagMs: number;
  p50LagMs: number;
}

interface Delivery {
  at: number;
  changes: { seq: number; committedAt: string; new: { id: number; note: string } | null }[];
}

/**
 * The sink, on every local address (the consumer reaches it as localhost: the deploy refuses the runtime's own
 * host 127.0.0.1 whatever the port). It records each batch and answers after a short delay so that deliveries are in flight when the kill comes. */
function startSink(deliveries: Delivery[]): Promise<{ server: Server; port: number }> {
  const read = (req: IncomingMessage) => new Promise<string>((resolve) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(body));
  });
  const server = createServer(async (req, res) => {
    const body = await read(req);
    const at = Date.now();
    try {
      deliveries.push({ at, changes: JSON.parse(body).changes });
    } catch {
      res.writeHead(400).end();
      return;
    }
    setTimeout(() => res.writeHead(200).end("ok"), 20);
  });
  return new Promise((resolve) => server.listen(0, () => resolve({ server, port: (server.address() as { port: number }).port })));
}

class Api {
  constructor(public server: LocalServer) {}
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.server.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.server.token}`, ...(body !== undefined && !(body instanceof Uint8Array) ? { "content-type": "application/json" } : {}), ...headers },
      body: body === undefined ? undefined : body instanceof Uint8Array ? body : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
  }
  async ok(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
    const response = await this.call(method, path, body, headers);
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.json();
  }
}

const DB = "/v1/regions/wnam/databases/crash";

async function setUp(api: Api, sinkPort: number): Promise<number> {
  const wasm = await watToBytes(CDC_GUEST_WAT["cdc-consumer"], [], { filename: "cdc-consumer.wat" });
  const query = new URLSearchParams({ profile: "network", regions: "wnam", allowedHosts: `localhost:${sinkPort}`, config: JSON.stringify({ sink: `http://localhost:${sinkPort}/sink` }) });
  await api.ok("PUT", `/v1/functions/cdc-sink?${query}`, wasm, { "content-type": "application/wasm", "x-helios-sha256": createHash("sha256").update(wasm).digest("hex") });
  await api.ok("PUT", DB);
  await api.ok("POST", `${DB}/sql`, { sql: "CREATE TABLE events (id INTEGER PRIMARY KEY, round INTEGER, note TEXT)" });
  const subscription = await api.ok("PUT", `${DB}/subscriptions/feed`, { function: "cdc-sink", batchSize: 5 });
  return subscription.cursor as number;
}

/** One round of writes; with `killAfter`, the server is SIGKILLed once that many writes were answered. */
async function writeRound(api: Api, round: number, firstId: number, writes: number, killAfter: number | null): Promise<number> {
  let id = firstId;
  for (let i = 0; i < writes; i++) {
    if (killAfter !== null && i === killAfter) {
      // One write is in flight as the kill lands: it may or may not have committed; the table says which.
      const inFlight = api.call("POST", `${DB}/tables/events/rows`, { id: id++, round, note: "in-flight" }).catch(() => null);
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 15)));
      await api.server.kill();
      await inFlight;
      return id;
    }
    await api.ok("POST", `${DB}/tables/events/rows`, { id: id++, round, note: "ok" });
    if (i % 7 === 3) {
      // Fails on its second row (the key of the first row of this round): rolled back, never in the log.
      const failed = await api.call("POST", `${DB}/sql`, { sql: "INSERT INTO events (id, note) VALUES (?, 'rolled-back'), (?, 'rolled-back')", params: [id + 100_000, firstId] });
      if (failed.ok) throw new Error("the failing statement committed");
    }
  }
  return id;
}

export async function runCrashScenario(options: CrashScenarioOptions): Promise<CrashReport> {
  const log = options.log ?? (() => undefined);
  const writes = options.writesPerRound ?? 40;
  const deliveries: Delivery[] = [];
  const { server: sink, port: sinkPort } = await startSink(deliveries);
  const stateDir = mkdtempSync(join(tmpdir(), "helios-cdc-crash-"));
  const token = "cdc-crash-token";
  const start = async () => startLocalServer({ stateDir, token, processGroup: true, args: ["--no-examples", "--log-level", "warn"], env: { HELIOS_OUTBOUND_ALLOW_PRIVATE: `localhost:${sinkPort}` } });
  const api = new Api(await start());
  const cursors: { at: number; cursor: number }[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const response = await api.call("GET", `${DB}/subscriptions/feed`).catch(() => null);
      if (response?.ok) cursors.push({ at: Date.now(), cursor: ((await response.json()) as { cursor: number }).cursor });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    const startCursor = await setUp(api, sinkPort);
    let nextId = 1;
    for (let round = 0; round <= options.kills; round++) {
      const killAfter = round < options.kills ? Math.floor(writes / 3 + Math.random() * (writes / 2)) : null;
      nextId = await writeRound(api, round, nextId, writes, killAfter);
      if (killAfter !== null) {
        log(`round ${round}: killed after ${killAfter} writes, ${deliveries.length} deliveries so far; restarting`);
        api.server = await start();
      }
    }
    const done = await waitForDrain(api);
    return analyse(options.kills, startCursor, done.headSeq, deliveries, cursors, await committedIds(api));
  } finally {
    watching = false;
    await watcher;
    await api.server.stop();
    sink.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}

async function waitForDrain(api: Api): Promise<{ headSeq: number }> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const view = (await api.ok("GET", `${DB}/subscriptions/feed`)) as { lag: number; headSeq: number; cursor: number; state: string };
    if (view.lag === 0) return view;
    if (Date.now() > deadline) throw new Error(`delivery did not catch up: ${JSON.stringify(view)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function committedIds(api: Api): Promise<Set<number>> {
  const result = (await api.ok("POST", `${DB}/sql`, { sql: "SELECT id FROM events ORDER BY id" })) as { rows: number[][] };
  return new Set(result.rows.map((r) => r[0]));
}

function analyse(kills: number, startCursor: number, head: number, deliveries: Delivery[], cursors: { cursor: number }[], ids: Set<number>): CrashReport {
  const firstAt = new Map<number, number>();
  const outOfOrder: string[] = [];
  const lags: number[] = [];
  let highest = startCursor;
  let total = 0;
  let rolledBack = 0;
  const phantom: number[] = [];
  for (const delivery of deliveries) {
    for (const [i, change] of delivery.changes.entries()) {
      total++;
      if (i > 0 && change.seq <= delivery.changes[i - 1].seq) outOfOrder.push(`batch ${delivery.changes.map((c) => c.seq).join(",")}`);
      // A redelivery may go back over what was sent; a first delivery must be the next seq, never a skip ahead.
      if (change.seq > highest + 1) outOfOrder.push(`seq ${change.seq} delivered before ${highest + 1}`);
      highest = Math.max(highest, change.seq);
      if (change.new?.note === "rolled-back") rolledBack++;
      if (change.new !== null && !ids.has(change.new.id)) phantom.push(change.new.id);
      if (!firstAt.has(change.seq)) {
        firstAt.set(change.seq, delivery.at);
        lags.push(delivery.at - Date.parse(change.committedAt));
      }
    }
  }
  const missing: number[] = [];
  for (let seq = startCursor + 1; seq <= head; seq++) if (!firstAt.has(seq)) missing.push(seq);
  const cursorWentBack: string[] = [];
  for (let i = 1; i < cursors.length; i++) if (cursors[i].cursor < cursors[i - 1].cursor) cursorWentBack.push(`${cursors[i - 1].cursor} -> ${cursors[i].cursor}`);
  lags.sort((a, b) => a - b);
  return {
    kills,
    committed: head - startCursor,
    deliveries: total,
    duplicates: total - firstAt.size,
    missing,
    outOfOrder,
    cursorWentBack,
    rolledBackDelivered: rolledBack,
    phantom,
    worstLagMs: lags.at(-1) ?? 0,
    p50LagMs: lags[Math.floor(lags.length / 2)] ?? 0,
  };
}
