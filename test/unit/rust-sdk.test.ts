// The Rust SDK's own checks (modules/rust-sdk), through a probe guest (modules/fixtures/rust-sdk-probe.rs) built
// with Debian's rustc for wasm32-unknown-unknown and run against a stub host: names are refused before the host
// is called, a length the host reports past the buffer is never read, a bufferTooSmall answer past the cap is
// TooLarge, and the documented statuses map to named variants. CI installs rustc (.ci/run).

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { instantiate } from "../../src/wasm/fixtures.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
let dir: string;
let binary: Uint8Array;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "helios-rust-sdk-"));
  const out = join(dir, "probe.wasm");
  const flags = ["--edition", "2021", "--target", "wasm32-unknown-unknown", "-C", "opt-level=2", "-C", "strip=debuginfo", "-C", "link-arg=-zstack-size=65536"];
  execFileSync("/usr/bin/rustc", [...flags, "-o", out, join(repoRoot, "modules/fixtures/rust-sdk-probe.rs")], { stdio: "pipe" });
  binary = readFileSync(out);
}, 120_000);
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function probe(answer: (out: number, cap: number, lenPtr: number, view: () => DataView) => number) {
  const calls: { name: string; region: string; cap: number }[] = [];
  let instance!: WebAssembly.Instance;
  const memory = () => (instance.exports.memory as WebAssembly.Memory).buffer;
  const text = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(memory(), ptr, len));
  instance = instantiate(binary, {
    heliosdb: {
      heliosdb_edge_invoke: (np: number, nl: number, rp: number, rl: number, _pp: number, _pl: number, out: number, cap: number, lenPtr: number) => {
        calls.push({ name: text(np, nl), region: text(rp, rl), cap });
        return answer(out, cap, lenPtr, () => new DataView(memory()));
      },
    },
  });
  return { exports: instance.exports as Record<string, (n: number) => number>, calls };
}

describe("Rust SDK checks", () => {
  it("a valid edge call reaches the host with the name, region and capped buffer; the answer's length is used", () => {
    const { exports, calls } = probe((out, _cap, lenPtr, view) => (view().setUint32(lenPtr, 5, true), 0));
    expect(exports.probe_edge(0)).toBe(5);
    expect(calls).toEqual([{ name: "target", region: "weur", cap: 64 }]);
  });

  it("bad function names and regions are refused before the host is called", () => {
    const { exports, calls } = probe(() => 0);
    expect([exports.probe_edge(1), exports.probe_edge(2), exports.probe_edge(3)]).toEqual([-100, -100, -100]);
    expect(calls).toEqual([]);
  });

  it("a length past the buffer is refused; bufferTooSmall past the 1 MiB cap is TooLarge; statuses map by name", () => {
    expect(probe((_o, cap, lenPtr, view) => (view().setUint32(lenPtr, cap + 1, true), 0)).exports.probe_edge(0)).toBe(-101);
    const big = probe((_o, _c, lenPtr, view) => (view().setUint32(lenPtr, (1 << 20) + 1, true), -8));
    expect(big.exports.probe_edge(0)).toBe(-3);
    expect(big.calls).toHaveLength(1);
    expect(probe(() => -14).exports.probe_edge(0)).toBe(-14);
    const statuses = probe(() => 0).exports;
    for (let s = -23; s <= -1; s++) expect(statuses.probe_status(s), String(s)).toBe(0);
    expect([statuses.probe_status(-24), statuses.probe_status(-1000)]).toEqual([1, 1]);
  });
});
