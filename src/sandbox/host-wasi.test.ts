// WASI preview1 in real invocations: the hostile corpus (fixtures/wasi/*.wat, each with its documented outcome in
// its leading comment) and the environment a WASI command sees (args, CGI variables, config, clock, fdstat).

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compile, watToBytes } from "../wasm/fixtures.ts";
import { instrumentModule } from "../wasm/index.ts";
import { runInvocation, type SandboxSettings } from "./invocation.ts";

const FIXTURES = join(import.meta.dirname, "fixtures", "wasi");
const settings: SandboxSettings = {
  functionName: "wasi-fn",
  region: "wnam",
  profile: ["wasi"],
  maxMemoryPages: 2,
  config: { GREETING: "hello", REQUEST_METHOD: "FAKE", "app.mode": "test" },
  allowedHosts: [],
};
const http = {
  method: "PUT",
  path: "/items/7",
  query: "a=1&b=2",
  headers: [["content-type", "text/plain"], ["x-request-id", "abc"], ["accept", "*/*"]] as [string, string][],
};
const BODY = "hello wasi body";

async function run(wat: string, options: { maxResponseBytes?: number; fuel?: number; body?: string } = {}) {
  const module = compile(instrumentModule(await watToBytes(wat), { maxMemoryPages: 2 }));
  const payload = new TextEncoder().encode(options.body ?? BODY);
  return runInvocation(module, payload, { fuel: options.fuel ?? 5_000_000, maxResponseBytes: options.maxResponseBytes ?? 64 * 1024, http }, settings);
}

/** `;; name: value` lines of a fixture's leading comment. */
function directives(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of source.split("\n")) {
    if (!line.startsWith(";;")) break;
    const match = /^;; (\w+): (.*)$/.exec(line);
    if (match && ["outcome", "errnos", "body", "status", "stderr", "log", "maxResponseBytes"].includes(match[1])) out[match[1]] = match[2];
  }
  return out;
}

const text = (buffer: ArrayBuffer) => new TextDecoder().decode(buffer);

describe("WASI hostile corpus (fixtures/wasi)", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".wat")).sort();
  it("has the cases the issue names", () => {
    expect(files).toEqual(
      expect.arrayContaining(["iovec_out_of_bounds.wat", "iovec_wrapping.wat", "iovec_counts.wat", "bad_fds.wat", "proc_exit_start.wat", "proc_exit_handler.wat", "stdout_flood.wat", "cgi_crlf_injection.wat", "cgi_10000_headers.wat"]),
    );
  });

  it.each(files)("%s: its documented outcome, and the host never throws", async (file) => {
    const source = readFileSync(join(FIXTURES, file), "utf8");
    const want = directives(source);
    const outcome = await run(source, { maxResponseBytes: want.maxResponseBytes ? Number(want.maxResponseBytes) : undefined });
    const [code, exitCode] = want.outcome.split(" ");
    if (code === "ok") {
      expect(outcome.ok, JSON.stringify(!outcome.ok && outcome.error)).toBe(true);
      if (!outcome.ok) return;
      if (want.errnos) expect([...new Int32Array(outcome.output)]).toEqual(want.errnos.split(" ").map(Number));
      if (want.body) expect(text(outcome.output)).toBe(want.body === "= the request body" ? BODY : want.body);
      if (want.status) expect(outcome.response?.status).toBe(Number(want.status));
      if (want.log) expect(outcome.logs).toContainEqual({ level: "error", message: want.log });
      return;
    }
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe(code);
    if (exitCode !== undefined) expect(outcome.error.details.exitCode).toBe(Number(exitCode));
    if (want.stderr) {
      expect(String(outcome.error.details.stderr)).toContain(want.stderr);
      expect(outcome.logs.map((l) => l.message)).toContain(want.stderr);
    }
  });

  it("cgi_response: the header block's headers, in order, repeated ones kept", async () => {
    const outcome = await run(readFileSync(join(FIXTURES, "cgi_response.wat"), "utf8"));
    expect(outcome.ok && outcome.response).toEqual({
      status: 404,
      headers: [["content-type", "text/html; charset=utf-8"], ["set-cookie", "a=1"], ["set-cookie", "b=2"]],
    });
  });

  it("stdout_flood stops at the cap: little fuel used, nothing of the body kept", async () => {
    const outcome = await run(readFileSync(join(FIXTURES, "stdout_flood.wat"), "utf8"), { maxResponseBytes: 4096 });
    expect(!outcome.ok && outcome.error.details).toMatchObject({ size: 4096 + 16, limit: 4096 });
    // A few hundred fd_write calls at their measured price (2,000 fuel each, docs/limits.md "Host call prices").
    expect(outcome.fuelUsed).toBeLessThan(1_000_000);
  });
});

const IMPORTS = `
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $env_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fdstat (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func $out (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr)) (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))`;

describe("the process a WASI command sees", () => {
  it("environ: config, then the CGI variables over it; HTTP_* for headers; args is the function's name", async () => {
    const outcome = await run(`(module ${IMPORTS}
      (func (export "_start")
        (drop (call $env_sizes (i32.const 16) (i32.const 20)))
        (drop (call $env_get (i32.const 1024) (i32.const 8192)))
        (call $out (i32.const 8192) (i32.load (i32.const 20)))
        (drop (call $args_sizes (i32.const 16) (i32.const 20)))
        (drop (call $args_get (i32.const 1024) (i32.const 40000)))
        (call $out (i32.const 40000) (i32.load (i32.const 20)))))`);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const entries = text(outcome.output).split("\0").filter((e) => e !== "");
    const args = entries.pop();
    expect(args).toBe("wasi-fn");
    expect(entries).toEqual(
      expect.arrayContaining([
        "GREETING=hello",
        "app.mode=test",
        "REQUEST_METHOD=PUT",
        "PATH_INFO=/items/7",
        "QUERY_STRING=a=1&b=2",
        "CONTENT_TYPE=text/plain",
        `CONTENT_LENGTH=${BODY.length}`,
        "HTTP_X_REQUEST_ID=abc",
        "HTTP_ACCEPT=*/*",
        "GATEWAY_INTERFACE=CGI/1.1",
      ]),
    );
    expect(entries).not.toContain("REQUEST_METHOD=FAKE");
    expect(entries.some((e) => e.startsWith("HTTP_CONTENT_TYPE"))).toBe(false);
  });

  it("clock: realtime and monotonic in ns (whole ms); CPU clocks ENOTSUP; fdstat of the streams; random_get fills", async () => {
    const before = Date.now();
    const outcome = await run(`(module ${IMPORTS}
      (func (export "_start")
        (i32.store (i32.const 100) (call $clock (i32.const 0) (i64.const 1) (i32.const 200)))
        (i32.store (i32.const 104) (call $clock (i32.const 1) (i64.const 1) (i32.const 208)))
        (i32.store (i32.const 108) (call $clock (i32.const 2) (i64.const 1) (i32.const 216)))
        (i32.store (i32.const 112) (call $clock (i32.const 9) (i64.const 1) (i32.const 216)))
        (i32.store (i32.const 116) (call $fdstat (i32.const 1) (i32.const 224)))
        (i32.store (i32.const 120) (call $random (i32.const 300) (i32.const 64)))
        (i32.store (i32.const 124) (call $random (i32.const 300) (i32.const 0x100001)))
        (call $out (i32.const 100) (i32.const 264))))`);
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    const view = new DataView(outcome.output);
    expect([0, 4, 8, 12, 16, 20, 24].map((o) => view.getInt32(o, true))).toEqual([0, 0, 58, 28, 0, 0, 28]);
    const ns = view.getBigUint64(100, true);
    expect(ns % 1_000_000n).toBe(0n);
    expect(Number(ns / 1_000_000n)).toBeGreaterThanOrEqual(before - 1);
    expect(view.getBigUint64(108, true)).toBe(ns);
    expect(view.getUint8(124)).toBe(0); // filetype unknown: not a terminal
    expect(view.getBigUint64(132, true)).toBe((1n << 6n) | (1n << 27n)); // fd_write | poll_fd_readwrite
    expect(new Uint8Array(outcome.output, 200, 64).some((b) => b !== 0)).toBe(true);
  });
});
