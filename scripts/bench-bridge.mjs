// Micro benchmark of the host side of the memory bridge, each operation against an unchecked baseline measured in
// the same run, interleaved, median of samples:
//   1. a validated 64-byte UTF-8 string read (SafeMemory.readString) vs
//      `new TextDecoder().decode(new Uint8Array(memory.buffer, ptr, 64))`;
//   2. a tracked allocation + free (AllocationTracker) vs calling the same guest allocator directly;
//   3. for context: the string read against a shared decoder (the cost of the checks alone), a typed u32 read and
//      a 64-byte string write (exact and roomy buffer) vs their unchecked DataView / encodeInto forms.
// Targets (under 100 ns per operation) are reported, not enforced: the exit code is non-zero only when something is
// broken (an error, or a checked operation returning something other than its baseline). `--quick` is a smoke run.
//
// Node 20 cannot import TypeScript, so src/sandbox is bundled with esbuild into modules/build/.bench/ first.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import wabt from "wabt";
import { importTypeScript, median, repoRoot } from "./lib/bench-support.mjs";

const quick = process.argv.includes("--quick");
const SETTINGS = quick ? { samples: 3, iterations: 50_000 } : { samples: 15, iterations: 400_000 };
const TARGET_NS = 100;
const STRING_PTR = 4096;

function loadSandbox() {
  return importTypeScript("bridge", [
        `export * from "./src/sandbox/safe-memory.ts";`,
        `export * from "./src/sandbox/allocation-tracker.ts";`,
      ]);
}


async function guestAllocator() {
  const toolkit = await wabt();
  const wat = readFileSync(join(repoRoot, "src", "sandbox", "fixtures", "bump-allocator.wat"), "utf8");
  const { buffer } = toolkit.parseWat("bump-allocator.wat", wat).toBinary({});
  const { instance } = await WebAssembly.instantiate(buffer);
  return instance.exports;
}


/** ns per call of `fn(i)`, one sample; the sink defeats dead-code elimination. */
let sink = 0;
function sample(fn, iterations) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += fn(i);
  return Number(process.hrtime.bigint() - start) / iterations;
}

/** Warms both up, then alternates checked and baseline samples so drift hits both alike. */
function compare(checked, baseline) {
  const { samples, iterations } = SETTINGS;
  for (let i = 0; i < 3; i++) {
    sample(checked, iterations / 4);
    sample(baseline, iterations / 4);
  }
  const ours = [];
  const theirs = [];
  for (let i = 0; i < samples; i++) {
    ours.push(sample(checked, iterations));
    theirs.push(sample(baseline, iterations));
  }
  return { checked: median(ours), baseline: median(theirs) };
}

function mustEqual(what, actual, expected) {
  if (actual !== expected) throw new Error(`${what}: checked result ${String(actual)} differs from baseline ${String(expected)}`);
}

async function main() {
  const { SafeMemory, AllocationTracker } = await loadSandbox();
  const rows = [];

  // 1. String read.
  const memory = new WebAssembly.Memory({ initial: 2 });
  const text = "héllo from the guest: a sixty-four byte UTF-8 string, café ✓";
  const encoded = new TextEncoder().encode(text);
  if (encoded.length !== 64) throw new Error(`bench string is ${encoded.length} bytes, not 64`);
  new Uint8Array(memory.buffer).set(encoded, STRING_PTR);
  const safe = new SafeMemory(memory);
  mustEqual("readString", safe.readString(STRING_PTR, 64), new TextDecoder().decode(new Uint8Array(memory.buffer, STRING_PTR, 64)));
  rows.push({
    name: "read 64-byte UTF-8 string",
    checkedLabel: "SafeMemory.readString",
    baselineLabel: "new TextDecoder().decode(new Uint8Array(buf, ptr, 64))",
    ...compare(
      () => safe.readString(STRING_PTR, 64).length,
      () => new TextDecoder().decode(new Uint8Array(memory.buffer, STRING_PTR, 64)).length,
    ),
  });

  const sharedDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  rows.push({
    name: "read 64-byte string, checks only",
    checkedLabel: "SafeMemory.readString",
    baselineLabel: "sharedFatalDecoder.decode(new Uint8Array(buf, ptr, 64)), the same decode without the checks",
    ...compare(
      () => safe.readString(STRING_PTR, 64).length,
      () => sharedDecoder.decode(new Uint8Array(memory.buffer, STRING_PTR, 64)).length,
    ),
  });

  // 2. Allocation + free through a wasm guest allocator.
  const guest = await guestAllocator();
  const tracker = new AllocationTracker(guest.memory, guest, { maxBlocks: 0xffff_ffff, maxBytes: 0xffff_ffff });
  const probe = tracker.alloc(64);
  tracker.free(probe, 64);
  const direct = guest.alloc(64);
  guest.dealloc(direct, 64);
  mustEqual("alloc", probe, direct);
  rows.push({
    name: "allocate + free 64 bytes",
    checkedLabel: "AllocationTracker.alloc + free",
    baselineLabel: "exports.alloc + exports.dealloc",
    ...compare(
      () => {
        const ptr = tracker.alloc(64);
        tracker.free(ptr, 64);
        return ptr;
      },
      () => {
        const ptr = guest.alloc(64);
        guest.dealloc(ptr, 64);
        return ptr;
      },
    ),
  });
  const leaks = tracker.finish();
  if (leaks.leakedBlocks !== 0) throw new Error(`tracker leaked ${leaks.leakedBlocks} blocks in the benchmark`);

  // 3. Context rows.
  new DataView(memory.buffer).setUint32(STRING_PTR + 128, 0xdeadbeef, true);
  mustEqual("readU32", safe.readU32(STRING_PTR + 128), new DataView(memory.buffer).getUint32(STRING_PTR + 128, true));
  rows.push({
    name: "read u32",
    checkedLabel: "SafeMemory.readU32",
    baselineLabel: "new DataView(buf).getUint32(ptr, true)",
    ...compare(
      () => safe.readU32(STRING_PTR + 128),
      () => new DataView(memory.buffer).getUint32(STRING_PTR + 128, true),
    ),
  });
  const encoder = new TextEncoder();
  for (const capacity of [64, 256]) {
    rows.push({
      name: `write 64-byte string, capacity ${capacity}`,
      checkedLabel: "SafeMemory.writeString",
      baselineLabel: `encoder.encodeInto(s, new Uint8Array(buf, ptr, ${capacity}))`,
      ...compare(
        () => safe.writeString(STRING_PTR + 256, capacity, text),
        () => encoder.encodeInto(text, new Uint8Array(memory.buffer, STRING_PTR + 256, capacity)).written,
      ),
    });
  }
  mustEqual("writeString", safe.readString(STRING_PTR + 256, 64), text);

  const header = ["operation", "checked ns/op", "baseline ns/op", "ratio", "overhead ns", `< ${TARGET_NS} ns`];
  const table = rows.map((row) => [
    row.name,
    row.checked.toFixed(1),
    row.baseline.toFixed(1),
    `${(row.checked / row.baseline).toFixed(2)}x`,
    (row.checked - row.baseline).toFixed(1),
    row.checked < TARGET_NS ? "yes" : "no",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  console.log(`bench-bridge (${quick ? "quick" : "full"}: ${SETTINGS.samples} samples x ${SETTINGS.iterations} iterations, median)`);
  console.log(line(header));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const cells of table) console.log(line(cells));
  console.log("\nchecked vs baseline:");
  for (const row of rows) console.log(`  ${row.name}: ${row.checkedLabel} vs ${row.baselineLabel}`);
  console.log(JSON.stringify({ bridge: rows.map(({ name, checked, baseline }) => ({ name, checkedNs: checked, baselineNs: baseline, ratio: checked / baseline })), sink: sink % 10 }));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
