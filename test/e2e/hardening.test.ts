// Hardening found by an attack run (issue 7), against the real local server over HTTP: tables capped at run time,
// a clock frozen per invocation, memory_limit only for a refused memory.grow. Hostile guests are the committed
// .wat files under test/fixtures/guests.

import { createHash } from "node:crypto";
import { readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_SANDBOX_RUNS_PER_REQUEST } from "../../src/runtime/call-tree.ts";
import { HOST_CALL_BASE_FUEL } from "../../src/sandbox/host-call.ts";
import { watToBytes } from "../../src/wasm/fixtures.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

const guestsDir = resolve(import.meta.dirname, "../fixtures/guests");
let server: LocalServer;

beforeAll(async () => {
  server = await startLocalServer();
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
});

async function fixture(name: string): Promise<Uint8Array> {
  return watToBytes(readFileSync(join(guestsDir, `${name}.wat`), "utf8"), [], { filename: `${name}.wat` });
}

async function deployFixture(name: string, guest: string, query = ""): Promise<void> {
  const bytes = await fixture(guest);
  const response = await fetch(`${server.baseUrl}/v1/functions/${name}${query}`, {
    method: "PUT",
    body: bytes,
    headers: {
      authorization: `Bearer ${server.token}`,
      "content-type": "application/wasm",
      "x-helios-sha256": createHash("sha256").update(bytes).digest("hex"),
    },
  });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
}

function invoke(name: string, body: string | Uint8Array): Promise<Response> {
  return fetch(`${server.baseUrl}/v1/functions/${name}/invoke`, { method: "POST", body });
}

async function errorCode(response: Response): Promise<string> {
  return ((await response.json()) as { error: { code: string } }).error.code;
}

describe("fuel bounds host calls", () => {
  it("charges every refused host call its base price, with no fuel left over for exceptions", async () => {
    await deployFixture("hard-refusals", "refused-log-flood", "?fuel=100000000");
    const fuelFor = async (calls: string) => {
      const response = await invoke("hard-refusals", calls);
      expect(response.status, await response.clone().text()).toBe(200);
      expect(new DataView((await response.arrayBuffer()) as ArrayBuffer).getUint32(0, true)).toBe(Number(calls));
      return Number(response.headers.get("x-helios-fuel-used"));
    };
    const perCall = ((await fuelFor("2000")) - (await fuelFor("1000"))) / 1000;
    // The base price, plus the guest's own loop (a handful of instructions).
    expect(perCall).toBeGreaterThanOrEqual(HOST_CALL_BASE_FUEL);
    expect(perCall).toBeLessThan(HOST_CALL_BASE_FUEL + 32);
  });

  it("ends floods of refused and of 64 KiB calls at the highest budget with out_of_fuel, and the server keeps answering", async () => {
    await deployFixture("hard-log-flood", "refused-log-flood", "?fuel=1000000000");
    await deployFixture("hard-random-flood", "random-flood", "?profile=compute&fuel=1000000000");
    for (const name of ["hard-log-flood", "hard-random-flood"]) {
      const [flood, health] = await Promise.all([invoke(name, "0"), fetch(`${server.baseUrl}/healthz`)]);
      expect(flood.status).toBe(422);
      expect(await errorCode(flood)).toBe("out_of_fuel");
      expect(health.status).toBe(200);
    }
  });
});

describe("a whole call tree is bounded", () => {
  it(`32 callees each calling 32 more, four levels deep, start at most ${MAX_SANDBOX_RUNS_PER_REQUEST} sandboxes; the rest are refused`, async () => {
    const levels = ["fan-a", "fan-b", "fan-c", "fan-d"];
    for (const [i, name] of levels.entries()) {
      const config = i + 1 < levels.length ? { next: levels[i + 1] } : {};
      await deployFixture(name, "fan-out", `?profile=invoke&fuel=1000000000&config=${encodeURIComponent(JSON.stringify(config))}`);
    }
    const response = await invoke("fan-a", Uint8Array.of(32));
    expect(response.status, await response.clone().text()).toBe(200);
    expect(Number(response.headers.get("x-helios-sandbox-runs"))).toBe(MAX_SANDBOX_RUNS_PER_REQUEST);
    const result = new DataView((await response.arrayBuffer()) as ArrayBuffer);
    const leaves = result.getUint32(0, true);
    // Every run is either the root, an inner callee or a leaf; the root saw some of its own calls refused.
    expect(leaves).toBeGreaterThan(0);
    expect(leaves).toBeLessThan(MAX_SANDBOX_RUNS_PER_REQUEST);
    expect(result.getUint32(4, true)).toBeGreaterThan(0);

    // A small tree is untouched: 1 root + 3 + 9 + 27 leaves.
    const small = await invoke("fan-a", Uint8Array.of(3));
    expect(small.status).toBe(200);
    expect(Number(small.headers.get("x-helios-sandbox-runs"))).toBe(40);
    expect(new DataView((await small.arrayBuffer()) as ArrayBuffer).getUint32(0, true)).toBe(27);
  });
});

describe("tables are capped at run time", () => {
  it("table.grow past the documented 100,000-element cap returns -1 and leaves the table as it was", async () => {
    await deployFixture("hard-table", "table-grower", "?fuel=50000000");
    const within = await invoke("hard-table", "99999");
    expect(within.status).toBe(200);
    const grown = new DataView((await within.arrayBuffer()) as ArrayBuffer);
    expect(grown.getInt32(0, true)).toBe(1); // the old size
    expect(grown.getInt32(4, true)).toBe(100_000);

    for (const count of ["100000", "1000000", "10000000"]) {
      const past = await invoke("hard-table", count);
      expect(past.status).toBe(200);
      const refused = new DataView((await past.arrayBuffer()) as ArrayBuffer);
      expect(refused.getInt32(0, true)).toBe(-1);
      expect(refused.getInt32(4, true)).toBe(1);
    }
  });
});

describe("the guest's clock", () => {
  it("does not advance during an invocation, even across a long computation", async () => {
    await deployFixture("hard-clock", "clock-reader", "?profile=compute&fuel=1000000000");
    const response = await invoke("hard-clock", "30000000");
    expect(response.status, await response.clone().text()).toBe(200);
    const readings = new DataView((await response.arrayBuffer()) as ArrayBuffer);
    const first = readings.getBigInt64(0, true);
    expect(first).toBeGreaterThan(1_700_000_000_000n);
    expect(readings.getBigInt64(8, true)).toBe(first);
  });
});

describe("memory_limit", () => {
  it("is reported only when a memory.grow was refused at the cap; any other trap is guest_trap", async () => {
    await deployFixture("hard-grow", "grow-then-trap", "?maxMemoryPages=2");
    const belowCap = await invoke("hard-grow", "0");
    expect(belowCap.status).toBe(500);
    expect(await errorCode(belowCap)).toBe("guest_trap");
    // At the cap, but no grow was refused: the trap is the guest's own.
    const atCap = await invoke("hard-grow", "1");
    expect(atCap.status).toBe(500);
    expect(await errorCode(atCap)).toBe("guest_trap");
    const refused = await invoke("hard-grow", "2");
    expect(refused.status).toBe(422);
    expect(await errorCode(refused)).toBe("memory_limit");
    // The flag belongs to one invocation: a fresh instance starts without it.
    const again = await invoke("hard-grow", "1");
    expect(await errorCode(again)).toBe("guest_trap");
  });
});
