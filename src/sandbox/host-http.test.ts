// Version 2 of the guest ABI in real invocations: the request as the guest reads it, the response head it sets,
// and every rule a response header is held to (a bad one fails the invocation, nothing half-sent).

import { describe, expect, it } from "vitest";
import { compile, watToBytes } from "../wasm/fixtures.ts";
import { instrumentModule } from "../wasm/index.ts";
import { HostStatus } from "./host-status.ts";
import { MAX_RESPONSE_HEADERS, ResponseHead } from "./http-exchange.ts";
import { runInvocation, type SandboxSettings } from "./invocation.ts";

const IMPORTS = `
  (import "heliosdb" "heliosdb_request_method" (func $method (param i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_request_header" (func $header (param i32 i32 i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_request_body" (func $body (param i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_response_status" (func $status (param i32) (result i32)))
  (import "heliosdb" "heliosdb_response_header" (func $set (param i32 i32 i32 i32) (result i32)))
  (import "heliosdb" "heliosdb_output" (func $output (param i32 i32) (result i32)))`;

const settings: SandboxSettings = { functionName: "fn", region: "wnam", profile: ["minimal"], maxMemoryPages: 1, config: {}, allowedHosts: [] };
const http = { method: "DELETE", path: "/items/7", query: "force=1", headers: [["x-probe", "42"]] as [string, string][] };

async function run(body: string, payload = "") {
  const wat = `(module ${IMPORTS} (memory (export "memory") 1) ${body})`;
  const module = compile(instrumentModule(await watToBytes(wat), { maxMemoryPages: 1 }));
  return runInvocation(module, new TextEncoder().encode(payload), { fuel: 1_000_000, maxResponseBytes: 1024, http }, settings);
}
const text = (buffer: ArrayBuffer) => new TextDecoder().decode(buffer);

describe("version 2: handle_request", () => {
  it("reads method, a header and the body; the head it sets comes back with the emitted body", async () => {
    const outcome = await run(
      `(data (i32.const 16) "X-PROBE") (data (i32.const 32) "content-type") (data (i32.const 48) "text/csv")
       (func (export "handle_request")
         (drop (call $status (i32.const 404)))
         (drop (call $set (i32.const 32) (i32.const 12) (i32.const 48) (i32.const 8)))
         (drop (call $method (i32.const 100) (i32.const 10) (i32.const 0)))
         (drop (call $output (i32.const 100) (i32.load (i32.const 0))))
         (drop (call $header (i32.const 16) (i32.const 7) (i32.const 100) (i32.const 10) (i32.const 0)))
         (drop (call $output (i32.const 100) (i32.load (i32.const 0))))
         (drop (call $body (i32.const 100) (i32.const 100) (i32.const 0)))
         (drop (call $output (i32.const 100) (i32.load (i32.const 0)))))`,
      "payload",
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(text(outcome.output)).toBe("DELETE42payload");
    expect(outcome.response).toEqual({ status: 404, headers: [["content-type", "text/csv"]] });
  });

  it("a buffer too small gets only the required length; an unknown header is notFound", async () => {
    const outcome = await run(
      `(data (i32.const 16) "x-none")
       (func (export "handle_request")
         (i32.store (i32.const 200) (call $body (i32.const 100) (i32.const 3) (i32.const 0)))
         (i32.store (i32.const 204) (i32.load (i32.const 0)))
         (i32.store (i32.const 208) (call $header (i32.const 16) (i32.const 6) (i32.const 100) (i32.const 3) (i32.const 0)))
         (drop (call $output (i32.const 200) (i32.const 12))))`,
      "0123456789",
    );
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect([...new Int32Array(outcome.output)]).toEqual([HostStatus.bufferTooSmall, 10, HostStatus.notFound]);
    expect(outcome.response).toBeUndefined();
  });

  it.each([
    ["CR LF in a value", "x-a", "1\r\nset-cookie: s=1"],
    ["a bare LF", "x-a", "1\nx"],
    ["a NUL", "x-a", "a\0b"],
    ["a space in the name", "x a", "1"],
    ["a hop-by-hop name", "Transfer-Encoding", "chunked"],
    ["content-length", "content-length", "5"],
    ["the runtime's namespace", "X-Helios-Region", "mars"],
    ["non-ASCII", "x-a", "é"],
  ])("%s fails the invocation with invalid_response_header", async (_label, name, value) => {
    const bytes = (s: string) => [...new TextEncoder().encode(s)].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
    const nameLen = new TextEncoder().encode(name).length;
    const valueLen = new TextEncoder().encode(value).length;
    const outcome = await run(
      `(data (i32.const 16) "${bytes(name)}") (data (i32.const 64) "${bytes(value)}")
       (func (export "handle_request")
         (drop (call $set (i32.const 16) (i32.const ${nameLen}) (i32.const 64) (i32.const ${valueLen})))
         (drop (call $output (i32.const 16) (i32.const 1))))`,
    );
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error).toMatchObject({ code: "invalid_response_header", details: { source: "heliosdb_response_header" } });
  });

  it("a status outside 200–599 fails the invocation; a range outside memory is refused with a status instead", async () => {
    const bad = await run(`(func (export "handle_request") (drop (call $status (i32.const 99))))`);
    expect(!bad.ok && bad.error).toMatchObject({ code: "invalid_response_header", details: { header: "status" } });
    const oob = await run(
      `(func (export "handle_request")
         (i32.store (i32.const 0) (call $set (i32.const -16) (i32.const 32) (i32.const 0) (i32.const 1)))
         (drop (call $output (i32.const 0) (i32.const 4))))`,
    );
    expect(oob.ok && [...new Int32Array(oob.output)]).toEqual([HostStatus.outOfBounds]);
  });

  it(`caps the count at ${MAX_RESPONSE_HEADERS} (a loop of 10,000 set-cookie headers fails at the next one)`, async () => {
    const outcome = await run(
      `(data (i32.const 16) "set-cookie") (data (i32.const 32) "a=1")
       (func (export "handle_request") (local $i i32)
         (loop $more
           (drop (call $set (i32.const 16) (i32.const 10) (i32.const 32) (i32.const 3)))
           (local.set $i (i32.add (local.get $i) (i32.const 1)))
           (br_if $more (i32.lt_u (local.get $i) (i32.const 10000)))))`,
    );
    expect(!outcome.ok && outcome.error).toMatchObject({ code: "invalid_response_header", details: { reason: expect.stringContaining(`more than ${MAX_RESPONSE_HEADERS}`) } });
  });
});

describe("ResponseHead", () => {
  it("keeps repeated names in order, lower-cases names, and reports nothing until something is set", () => {
    const head = new ResponseHead();
    expect(head.result()).toBeUndefined();
    head.addHeader("Set-Cookie", "a=1", "test");
    head.addHeader("set-cookie", "b=2; Path=/", "test");
    expect(head.result()).toEqual({ status: 200, headers: [["set-cookie", "a=1"], ["set-cookie", "b=2; Path=/"]] });
    expect(() => head.addHeader("x-a", " padded", "test")).toThrow(/surrounding whitespace/);
    expect(() => head.addHeader("x-a", "v".repeat(8193), "test")).toThrow(/over 8192 bytes/);
  });
});
