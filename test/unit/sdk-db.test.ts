// The SDK's db.query / db.execute against a host that follows the documented shapes (docs/abi.md): SQL and the
// parameters' JSON array arrive separately, the result is a host-made block whose address and length the host writes
// to the two slots, and the guest copies it out and frees it with its exact size. A failure with a message carries
// {"error": {code, message}}.

import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { instantiate } from "../../src/wasm/fixtures.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
let binary: Uint8Array;

beforeAll(async () => {
  const asc = (await import("assemblyscript/asc")).default;
  const emitted = new Map<string, Uint8Array>();
  const stderr = asc.createMemoryStream();
  const result = await asc.main(
    [join(repoRoot, "modules/fixtures/db-guest.ts"), "--outFile", "db-guest.wasm", "--config", join(repoRoot, "modules/examples/asconfig.json"), "--target", "release", "--noColors"],
    { stdout: asc.createMemoryStream(), stderr, writeFile: (name: string, contents: string | Uint8Array) => void (typeof contents !== "string" && emitted.set(name, contents)) },
  );
  if (result.error) throw new Error(`${result.error.message}\n${stderr.toString()}`);
  binary = [...emitted.entries()].find(([name]) => name.endsWith(".wasm"))![1];
}, 120_000);

interface Call {
  fn: string;
  sql: string;
  params: string;
}

async function run(answers: Record<string, { status: number; body?: unknown }>) {
  const calls: Call[] = [];
  const live = new Map<number, number>();
  const frees: [number, number][] = [];
  let instance!: WebAssembly.Instance;
  const memory = () => new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer);
  const text = (ptr: number, len: number) => new TextDecoder().decode(memory().slice(ptr, ptr + len));
  const dbCall = (fn: string) => (sqlPtr: number, sqlLen: number, paramsPtr: number, paramsLen: number, outPtrPtr: number, outLenPtr: number) => {
    const call = { fn, sql: text(sqlPtr, sqlLen), params: text(paramsPtr, paramsLen) };
    calls.push(call);
    const answer = answers[call.sql] ?? { status: -19, body: { error: { code: "sql_error", message: "no such table" } } };
    if (answer.body !== undefined) {
      const bytes = new TextEncoder().encode(JSON.stringify(answer.body));
      const ptr = (instance.exports.helios_alloc as (n: number) => number)(bytes.length);
      memory().set(bytes, ptr);
      live.set(ptr, bytes.length);
      const view = new DataView((instance.exports.memory as WebAssembly.Memory).buffer);
      view.setUint32(outPtrPtr, ptr, true);
      view.setUint32(outLenPtr, bytes.length, true);
    }
    return answer.status;
  };
  const imports = {
    heliosdb: {
      heliosdb_db_query: dbCall("query"),
      heliosdb_db_execute: dbCall("execute"),
      heliosdb_dealloc: (ptr: number, size: number) => {
        frees.push([ptr, size]);
        if (live.get(ptr) !== size) return -6;
        live.delete(ptr);
        return 0;
      },
      heliosdb_log: (_level: number, ptr: number, len: number) => {
        throw new Error(`guest logged: ${text(ptr, len)}`);
      },
    },
  };
  instance = instantiate(binary, imports);
  const packed = (instance.exports.handle as (p: number, l: number) => bigint)(0, 0);
  const output = text(Number(packed >> 32n), Number(packed & 0xffffffffn));
  return { calls, live, frees, output: JSON.parse(output) as Record<string, unknown> };
}

describe("SDK db.query / db.execute", () => {
  it("sends SQL and parameters separately, reads typed rows, and frees every block it was given", async () => {
    const { calls, live, frees, output } = await run({
      "SELECT id, name, price, paid, note FROM orders WHERE name = ? AND id > ?": {
        status: 0,
        body: { columns: ["id", "name", "price", "paid", "note"], rows: [[7, "a\"b", 2.5, 1, null]], rowsRead: 3, rowsWritten: 0, lastRowId: null },
      },
      "INSERT INTO orders (name) VALUES (?)": { status: 0, body: { columns: [], rows: [], rowsRead: 0, rowsWritten: 1, lastRowId: 8 } },
      "SELECT 1": { status: 0, body: { columns: ["1"], rows: [[1]], rowsRead: 0, rowsWritten: 0, lastRowId: null } },
    });
    expect(calls).toEqual([
      { fn: "query", sql: "SELECT id, name, price, paid, note FROM orders WHERE name = ? AND id > ?", params: '["a\\"b",9007199254740993,1.5,true,null]' },
      { fn: "execute", sql: "INSERT INTO orders (name) VALUES (?)", params: '["x"]' },
      { fn: "query", sql: "SELECT 1", params: "" },
      { fn: "execute", sql: "INSERT INTO nowhere VALUES (1)", params: "" },
    ]);
    expect(output).toEqual({
      ok: true, columns: 5, rows: 1, id: 7, name: 'a"b', price: 2.5, paid: true, noteNull: true, missing: "fallback",
      rowsRead: 3, readLastRowId: -1, rowsWritten: 1, lastRowId: 8, bareOk: true,
      failedStatus: -19, failedCode: "sql_error", failedError: "sqlError: no such table",
    });
    expect(frees).toHaveLength(4);
    expect(live.size).toBe(0);
  });

  it("reads nothing from the slots when the host placed no block", async () => {
    const { output, frees } = await run({
      "SELECT id, name, price, paid, note FROM orders WHERE name = ? AND id > ?": { status: 0, body: { columns: ["id"], rows: [[1]], rowsRead: 1, rowsWritten: 0, lastRowId: null } },
      "INSERT INTO orders (name) VALUES (?)": { status: -20 },
      "SELECT 1": { status: -5 },
    });
    expect(output).toMatchObject({ rowsWritten: 0, lastRowId: -1, bareOk: false, failedStatus: -19 });
    // The query's block and the failing call's message block only: a call that placed nothing frees nothing.
    expect(frees).toHaveLength(2);
  });
});
