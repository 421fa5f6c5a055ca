// The WebAssembly scanner's memory and state (AssemblyScript; the reference is src/wasm/scan-frames.ts and
// scan-result.ts). Everything lives in linear memory regions laid out by setup() and reserve(), and in globals; the
// JavaScript side (src/wasm/wasm-scanner.ts) reads the results through typed-array views of the same regions.
//
// Bailing out: any input this scanner does not handle, or that the TypeScript scanner would reject, runs
// `unreachable()`. The trap unwinds to JavaScript, which scans that function with the TypeScript scanner instead
// (and so reports errors with its exact messages). Capacity limits below bail the same way.

/** PointKind of src/wasm/scan-result.ts (keep in step: the differential test compares every point). */
export const ENTRY = 0;
export const LOOP_HEADER = 1;
export const PRE_LOOP = 5;
export const AFTER_GROW = 6;
export const NONE_POINT = 7;
export const SPLIT = 8;
export const CALL_CHECK = 9;
export const COUNTED_LOOP = 10;
export const LOOP_CHECK = 11;
export const DISPATCH_BACK = 12;

/** FrameKind of src/wasm/scan-frames.ts. */
export const FUNCTION = 0;
export const BLOCK = 1;
export const LOOP = 2;
export const IF = 3;

/** "No path arrives here" and "paths of several regions arrive" (scan-frames.ts NONE and MIXED). */
export const NONE = -1;
export const MIXED = -2;
/** entryCosts: not worked out yet (scan-frames.ts UNRESOLVED). */
export const UNRESOLVED = -2;
/** entryCosts: paid by a charge before each call (scan-frames.ts PAID_AT_CALL); the accelerator bails on such a call. */
export const PAID_AT_CALL = -3;

/** Frames open at once before bailing (the TypeScript scanner grows; real modules nest below 300). */
const FRAME_CAP = 1024;
const FRAME_SIZE = 80;
// Frame fields, as byte offsets in a frame record (the typed arrays of ScanFrames).
export const F_KIND = 0;
export const F_REACHABLE = 4;
export const F_HAS_ELSE = 8;
export const F_CALLS = 12;
export const F_REGION = 16;
export const F_HEAD = 20;
export const F_ENTRY = 24;
export const F_ENTRY_HEAD = 28;
export const F_JOIN = 32;
export const F_JOIN_HEAD = 36;
export const F_SPLIT = 40;
export const F_BONUS = 44;
export const F_JOIN_ID = 48;
export const F_ENTRY_CHECKED = 52;
export const F_CHECKED = 56;
export const F_PRE = 60;
export const F_BACK_EDGES = 64;
export const F_EXITS = 68;

/**
 * Opcode rows (src/wasm/wasm-scanner.ts writes them): 256 single-byte opcodes, then 32 of the 0xfc prefix; then, as
 * bytes, the fast class of each single-byte opcode (skipSimple: FastClass of src/wasm/opcodes.ts in bits 0-2, the
 * static cost above).
 */
export const OP_ROWS = 288;
/** Result fields the JavaScript side reads, as i32 slots of the header region. */
export const H_COUNT = 0;
export const H_NEEDS_SCRATCH = 1;
export const H_HAS_CALL = 2;
export const H_CALL_CHECKS = 3;
export const H_HAS_LOOP = 4;
export const H_HAS_TIGHT_LOOP = 5;
export const H_UNRESOLVED = 6;
export const H_BACK = 7;
export const H_BUDGET = 8;
export const H_COUNTED = 9;
const HEADER_SLOTS = 16;

// Fixed regions (setup): opcode rows, header, frames, the module's bytes, entry costs, parameter counts by type.
export let OPS: usize = 0;
export let FAST: usize = 0;
export let HEADER: usize = 0;
export let FRAMES: usize = 0;
export let BYTES: usize = 0;
export let ENTRY_COSTS: usize = 0;
export let PARAMS: usize = 0;
let fixedEnd: usize = 0;
// Per-function regions (reserve), sized for the longest body seen: points, joins, callees, labels.
export let OFFSETS: usize = 0;
export let KINDS: usize = 0;
export let COSTS: usize = 0;
export let LOOPS: usize = 0;
export let TIGHT: usize = 0;
export let JOIN_POINTS: usize = 0;
export let JOIN_ENDS: usize = 0;
export let BUCKETS: usize = 0;
export let NEXT: usize = 0;
export let UNRESOLVED_CALLEES: usize = 0;
export let BACK_LABELS: usize = 0;
export let LABELS: usize = 0;
/** Counted loops found (counted.ts: COUNTED_FIELDS each), and counted.ts's scratch (3 arrays of 1,025). */
export let COUNTED: usize = 0;
export let COUNTED_SCRATCH: usize = 0;
export let capacity: i32 = 0;

// The module's index spaces (context()).
export let typeCount: i32 = 0;
export let functionCount: i32 = 0;
export let tableCount: i32 = 0;
export let globalCount: i32 = 0;
export let elementCount: i32 = 0;
/** -1: no data count section. */
export let dataCount: i32 = -1;
export let hasMemory: bool = false;
/** The scanned function's parameters and locals. */
export let localCount: i32 = 0;
export let hasEntryCosts: bool = false;
export let maxCountedCost: i32 = 0;
export let maxCountedBody: i32 = 0;
export let minCountedConstBound: i32 = 0;
export let moduleLength: i32 = 0;

// Scan state (ScanFrames' fields).
export let depth: i32 = 0;
export let live: bool = true;
export let checked: bool = false;
export let dist: i32 = 0;
export let head: i32 = 0;
export let region: i32 = 0;
export let crossedHead: i32 = 0;
export let straight: i32 = -1;
export let loopBrIfAt: i32 = -1;
export let loopBrIfEnd: i32 = -1;
export let loopBrAt: i32 = -1;
export let loopBrEnd: i32 = -1;
export let budget: i32 = 0;
// Result state (ScanResult's fields).
export let count: i32 = 0;
export let joinCount: i32 = 0;
export let joinEndCount: i32 = 0;
export let unresolvedCount: i32 = 0;
export let backCount: i32 = 0;
export let countedCount: i32 = 0;
export let needsScratch: bool = false;
export let hasCall: bool = false;
export let callChecks: i32 = 0;
export let hasLoop: bool = false;
export let hasTightLoop: bool = false;

function align(at: usize): usize {
  return (at + 15) & ~(<usize>15);
}

/** Grows memory to hold `end` bytes (a refusal traps: the JavaScript side then scans in TypeScript). */
function ensureMemory(end: usize): void {
  const pages = <i32>((end + 0xffff) >>> 16);
  const have = memory.size();
  if (pages > have && memory.grow(pages - have) < 0) unreachable();
}

/** Lays out the fixed regions for a module of `moduleBytes` bytes, `functions` functions and `types` types. */
export function layout(moduleBytes: i32, functions: i32, types: i32): void {
  OPS = align(__heap_base);
  FAST = OPS + OP_ROWS * 4;
  HEADER = FAST + 256;
  FRAMES = HEADER + HEADER_SLOTS * 4;
  BYTES = FRAMES + FRAME_CAP * FRAME_SIZE;
  moduleLength = moduleBytes;
  ENTRY_COSTS = align(BYTES + <usize>moduleBytes);
  PARAMS = ENTRY_COSTS + (<usize>functions << 2);
  fixedEnd = align(PARAMS + (<usize>types << 2));
  capacity = 0;
  ensureMemory(fixedEnd);
  loopBrIfAt = loopBrIfEnd = loopBrAt = loopBrEnd = -1;
}

/** Makes room for scanning a body of `bodyBytes` bytes: at most one point, join or label per byte (and a few). */
export function reserve(bodyBytes: i32): void {
  const n = bodyBytes + 8;
  const size = <usize>n << 2;
  OFFSETS = fixedEnd;
  KINDS = OFFSETS + size;
  COSTS = KINDS + size;
  LOOPS = COSTS + size;
  TIGHT = LOOPS + size;
  JOIN_POINTS = TIGHT + size;
  JOIN_ENDS = JOIN_POINTS + size;
  BUCKETS = JOIN_ENDS + 3 * size;
  NEXT = BUCKETS + size;
  UNRESOLVED_CALLEES = NEXT + size;
  BACK_LABELS = UNRESOLVED_CALLEES + size;
  LABELS = BACK_LABELS + 2 * size;
  COUNTED = LABELS + size;
  COUNTED_SCRATCH = COUNTED + 6 * size;
  ensureMemory(COUNTED_SCRATCH + 3 * 1025 * 4);
  capacity = n;
}

// --- frames -------------------------------------------------------------------------------------

@inline export function fr(f: i32, field: i32): i32 {
  return load<i32>(FRAMES + <usize>(f * FRAME_SIZE + field));
}

@inline export function setFr(f: i32, field: i32, value: i32): void {
  store<i32>(FRAMES + <usize>(f * FRAME_SIZE + field), value);
}

export function pushFrame(kind: i32): i32 {
  if (depth >= FRAME_CAP) unreachable();
  const f = depth++;
  setFr(f, F_KIND, kind);
  setFr(f, F_REACHABLE, live ? 1 : 0);
  setFr(f, F_HAS_ELSE, 0);
  setFr(f, F_CALLS, 0);
  setFr(f, F_REGION, kind == LOOP || kind == FUNCTION ? f : fr(f - 1, F_REGION));
  setFr(f, F_HEAD, -1);
  setFr(f, F_ENTRY, dist);
  setFr(f, F_ENTRY_HEAD, head);
  setFr(f, F_JOIN, NONE);
  setFr(f, F_JOIN_HEAD, NONE);
  setFr(f, F_SPLIT, 0);
  setFr(f, F_BONUS, 0);
  setFr(f, F_JOIN_ID, -1);
  setFr(f, F_ENTRY_CHECKED, checked ? 1 : 0);
  setFr(f, F_CHECKED, 1);
  return f;
}

export function labelFrame(label: i32): i32 {
  if (label >= depth) unreachable();
  return depth - 1 - label;
}

// --- points -------------------------------------------------------------------------------------

@inline export function slot(base: usize, i: i32): usize {
  return base + (<usize>i << 2);
}

export function push(offset: i32, kind: i32, loop: i32): i32 {
  if (count >= capacity) unreachable();
  const i = count++;
  store<i32>(slot(OFFSETS, i), offset);
  store<u8>(KINDS + <usize>i, kind);
  store<i32>(slot(COSTS, i), 0);
  store<i32>(slot(LOOPS, i), loop);
  store<u8>(TIGHT + <usize>i, 0);
  return i;
}

@inline export function cost(i: i32): i32 {
  return load<i32>(slot(COSTS, i));
}

@inline export function setCost(i: i32, value: i32): void {
  store<i32>(slot(COSTS, i), value);
}

@inline export function setKind(i: i32, kind: i32): void {
  store<u8>(KINDS + <usize>i, kind);
}

/** The innermost loop's header point around the current instruction (-1 outside loops). */
export function regionLoop(): i32 {
  return region == 0 ? -1 : fr(region, F_HEAD);
}

/** Starts a function's scan: ScanResult.reset() and the per-function fields scan() sets. */
export function begin(entryChecked: bool, countedBudget: i32): void {
  count = joinCount = joinEndCount = unresolvedCount = backCount = countedCount = callChecks = 0;
  needsScratch = hasCall = hasLoop = hasTightLoop = false;
  depth = 0;
  live = true;
  checked = entryChecked;
  dist = 0;
  straight = -1;
  head = 0;
  region = 0;
  budget = countedBudget;
}

/** Publishes the result fields for the JavaScript side. */
export function finish(): void {
  store<i32>(slot(HEADER, H_COUNT), count);
  store<i32>(slot(HEADER, H_NEEDS_SCRATCH), needsScratch ? 1 : 0);
  store<i32>(slot(HEADER, H_HAS_CALL), hasCall ? 1 : 0);
  store<i32>(slot(HEADER, H_CALL_CHECKS), callChecks);
  store<i32>(slot(HEADER, H_HAS_LOOP), hasLoop ? 1 : 0);
  store<i32>(slot(HEADER, H_HAS_TIGHT_LOOP), hasTightLoop ? 1 : 0);
  store<i32>(slot(HEADER, H_UNRESOLVED), unresolvedCount);
  store<i32>(slot(HEADER, H_BACK), backCount);
  store<i32>(slot(HEADER, H_BUDGET), budget);
  store<i32>(slot(HEADER, H_COUNTED), countedCount);
}
