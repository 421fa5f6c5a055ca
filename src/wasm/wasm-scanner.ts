// The function scanner's WebAssembly accelerator (modules/scanner, AssemblyScript): the host registers its compiled
// module once (useWasmScanner) and every scan then runs there first, falling back to the TypeScript scanner
// (scanner.ts, the reference) for each function the accelerator bails on. Why, and how the two stay identical:
// docs/architecture.md, "Two function scanners". This file stays free of host APIs: the Worker imports the .wasm as
// a module (src/runtime/wasm-scanner.ts) and Node compiles it from modules/build (test/support/wasm-scanner.ts).
import type { CodeContext } from "./code-context.ts";
import { type CountedLoop, MAX_COUNTED_BODY_BYTES, MAX_COUNTED_ITERATION_COST, MIN_COUNTED_CONST_BOUND } from "./counted-loop.ts";
import { Ctl, FAST_CLASS, FAST_COST, ImmId, OPCODES, type OpInfo } from "./opcodes.ts";
import { type EntryCosts, FunctionScanner, PAID_AT_CALL } from "./scanner.ts";
import type { ScanResult } from "./scan-result.ts";
import type { FunctionBody } from "./types.ts";

/** What the instrumenter, prepaid.ts and the inspector scan with: FunctionScanner, or the accelerated one. */
export interface BodyScanner {
  scan(body: FunctionBody, definedIndex: number, out: ScanResult): void;
  /**
   * The entry costs given at creation changed (prepaid.ts settling candidates). FunctionScanner reads them live; the
   * accelerator keeps a copy, refreshed at the next scan, and otherwise copies them once per module.
   */
  entryCostsChanged?(): void;
}

/** How many function scans ran in WebAssembly and how many fell back to TypeScript (for tests and benchmarks). */
export interface WasmScannerStats {
  scanned: number;
  fellBack: number;
}

let registered: WebAssembly.Module | null = null;
let shared: ScannerInstance | null = null;
const stats: WasmScannerStats = { scanned: 0, fellBack: 0 };

/** Registers the compiled scanner module (null: scan in TypeScript only, as without a registration). */
export function useWasmScanner(module: WebAssembly.Module | null): void {
  registered = module;
  shared = null;
}

export function wasmScannerStats(): WasmScannerStats {
  return { ...stats };
}

/** A scanner for the module `bytes`: the accelerated one when a scanner module is registered. */
export function functionScanner(
  bytes: Uint8Array,
  ctx: CodeContext,
  entryCosts: EntryCosts | null = null,
  callSiteCosts: Int32Array | null = null,
): BodyScanner {
  if (registered === null) return new FunctionScanner(bytes, ctx, entryCosts, callSiteCosts);
  shared ??= new ScannerInstance(new WebAssembly.Instance(registered, {}));
  return new AcceleratedScanner(shared, bytes, ctx, entryCosts, callSiteCosts);
}

/** The op-row flags of modules/scanner/scanner/index.ts. */
const ROW_SUPPORTED = 1;
const DYNAMIC_CODES = { bytes: 1, pages: 2, elements: 3 } as const;
/** Immediates the accelerator decodes (modules/scanner/scanner/decode.ts); rows with others bail. */
const DECODED = new Set<ImmId>([ImmId.None, ImmId.BlockType, ImmId.Label, ImmId.BrTable, ImmId.Func, ImmId.CallIndirect,
  ImmId.Local, ImmId.Global, ImmId.Table, ImmId.Memarg, ImmId.I32, ImmId.I64, ImmId.F32, ImmId.F64, ImmId.Memory,
  ImmId.Memory2, ImmId.Data, ImmId.Elem, ImmId.MemoryInit, ImmId.TableInit, ImmId.TableCopy]);
/** Control the accelerator follows: everything but exception handling. */
const FOLLOWED = new Set<Ctl>([Ctl.None, Ctl.Block, Ctl.Loop, Ctl.If, Ctl.Else, Ctl.End, Ctl.Br, Ctl.BrIf, Ctl.BrTable,
  Ctl.Return, Ctl.Unreachable, Ctl.Call, Ctl.ReturnCall]);
const REF_FUNC = 0xd2;

/** An opcode row for the accelerator: 0 (bail) unless it decodes and follows everything the instruction needs. */
function opRow(op: OpInfo): number {
  // ref.func also checks its function is declared: left to the reference, like the rest of reference types' rarities.
  if (!op.supported || !DECODED.has(op.immId) || !FOLLOWED.has(op.ctl) || op.cost > 255 || (op.prefix === 0 && op.code === REF_FUNC)) return 0;
  const dynamic = op.dynamic === null ? 0 : DYNAMIC_CODES[op.dynamic];
  return (ROW_SUPPORTED | (dynamic << 1) | (op.cost << 8) | (op.ctl << 16) | (op.immId << 24)) >>> 0;
}

/** The accelerator's opcode rows: the 256 single-byte opcodes, then 32 of the 0xfc prefix. */
const OP_ROWS = new Uint32Array(288);
for (const op of OPCODES) {
  if (op.prefix === 0) OP_ROWS[op.code] = opRow(op);
  else if (op.prefix === 0xfc && op.code < 32) OP_ROWS[256 + op.code] = opRow(op);
}
/** skipSimple's table: FastClass, and the static cost above it (FAST_CLASS's instructions all decode there). */
const FAST_ROWS = new Uint8Array(256);
for (let code = 0; code < 256; code++) FAST_ROWS[code] = FAST_COST[code] < 32 ? FAST_CLASS[code] | (FAST_COST[code] << 3) : 0;

interface Exports {
  memory: WebAssembly.Memory;
  layout(moduleBytes: number, functions: number, types: number): void;
  reserve(bodyBytes: number): void;
  context(types: number, functions: number, tables: number, globals: number, elements: number, data: number, memory: number, withEntryCosts: number): void;
  countedLimits(maxCost: number, maxBody: number, minConstBound: number): void;
  scan(start: number, end: number, localCount: number, entryChecked: number, countedBudget: number): number;
  opRows(): number;
  fastClasses(): number;
  header(): number;
  moduleBytes(): number;
  entryCosts(): number;
  paramCounts(): number;
  results(which: number): number;
}

const H_COUNT = 0, H_NEEDS_SCRATCH = 1, H_HAS_CALL = 2, H_CALL_CHECKS = 3, H_HAS_LOOP = 4, H_HAS_TIGHT_LOOP = 5;
const H_UNRESOLVED = 6, H_BACK = 7, H_BUDGET = 8, H_COUNTED = 9;
/** A counted loop in the accelerator's counted region (modules/scanner/scanner/counted.ts): fields and flags. */
const COUNTED_FIELDS = 6;
const FLAG_UNSIGNED_LESS = 1, FLAG_TOP_TESTED = 2, FLAG_SIGNED = 4;

/** The one instance of the registered module, and which module's bytes and index spaces it holds. */
class ScannerInstance {
  readonly x: Exports;
  bytes: Uint8Array | null = null;
  ctx: CodeContext | null = null;
  withEntryCosts = false;
  /** The scanner whose entry costs the accelerator's memory holds. */
  entryOwner: object | null = null;
  capacity = 0;
  header!: Int32Array;
  entry!: Int32Array;
  results!: (Int32Array | Uint8Array)[];

  constructor(instance: WebAssembly.Instance) {
    this.x = instance.exports as unknown as Exports;
  }

  /**
   * Loads a module's bytes and index spaces (once per module and entry-cost mode); true if it did. Throws if memory
   * is refused.
   */
  load(bytes: Uint8Array, ctx: CodeContext, withEntryCosts: boolean): boolean {
    if (this.bytes === bytes && this.ctx === ctx && this.withEntryCosts === withEntryCosts) return false;
    this.bytes = null;
    this.entryOwner = null;
    const x = this.x;
    const functions = ctx.functionTypes.length;
    x.layout(bytes.length, functions, ctx.typeCount);
    this.capacity = 0;
    const memory = x.memory.buffer;
    new Uint8Array(memory, x.moduleBytes(), bytes.length).set(bytes);
    new Int32Array(memory, x.paramCounts(), ctx.typeCount).set(ctx.paramCounts);
    new Uint32Array(memory, x.opRows(), OP_ROWS.length).set(OP_ROWS);
    new Uint8Array(memory, x.fastClasses(), FAST_ROWS.length).set(FAST_ROWS);
    x.context(ctx.typeCount, functions, ctx.tableCount, ctx.globalCount, ctx.elementCount, ctx.dataCount ?? -1,
      ctx.hasMemory ? 1 : 0, withEntryCosts ? 1 : 0);
    x.countedLimits(MAX_COUNTED_ITERATION_COST, MAX_COUNTED_BODY_BYTES, MIN_COUNTED_CONST_BOUND);
    this.bytes = bytes;
    this.ctx = ctx;
    this.withEntryCosts = withEntryCosts;
    this.views();
    return true;
  }

  /** Room for a body of `length` bytes (memory grows: every view is made again). */
  reserve(length: number): void {
    if (length + 8 <= this.capacity) return;
    const capacity = Math.max(length + 8, 2 * this.capacity, 1 << 12);
    this.x.reserve(capacity - 8);
    this.capacity = capacity;
    this.views();
  }

  private views(): void {
    const x = this.x;
    const memory = x.memory.buffer;
    this.header = new Int32Array(memory, x.header(), 16);
    this.entry = new Int32Array(memory, x.entryCosts(), this.ctx!.functionTypes.length);
    this.results = [];
    if (this.capacity === 0) return;
    // Kinds and tight flags are bytes, as in ScanResult; the rest are i32.
    for (let i = 0; i < 6; i++) this.results.push(i === 1 || i === 4 ? new Uint8Array(memory, x.results(i), this.capacity) : new Int32Array(memory, x.results(i), this.capacity));
    this.results.push(new Int32Array(memory, x.results(6), 2 * this.capacity));
    this.results.push(new Int32Array(memory, x.results(7), COUNTED_FIELDS * this.capacity));
  }
}

/** FunctionScanner's scan, run in the accelerator where it can and in `reference` where it bails. */
class AcceleratedScanner implements BodyScanner {
  /** FunctionScanner.countedBudget, shared by both: bytes of loop bodies counted-loop recognition may still decode. */
  private budget: number;
  /** The accelerator's copy of entryCosts is not this scanner's (another scanner's, or stale). */
  private entryCostsStale = true;

  /** The reference, made at the first bail (its frame arrays cost more than most modules' fallbacks). */
  private reference: FunctionScanner | null = null;

  constructor(
    private readonly wasm: ScannerInstance,
    private readonly bytes: Uint8Array,
    private readonly ctx: CodeContext,
    private readonly entryCosts: EntryCosts | null,
    /** PAID_AT_CALL callees' costs: the accelerator bails on a call of one, the reference charges it (prepaid.ts). */
    private readonly callSiteCosts: Int32Array | null,
  ) {
    this.budget = bytes.length;
  }

  entryCostsChanged(): void {
    this.entryCostsStale = true;
  }

  scan(body: FunctionBody, definedIndex: number, out: ScanResult): void {
    if (!this.tryScan(body, definedIndex, out)) {
      stats.fellBack++;
      const reference = (this.reference ??= new FunctionScanner(this.bytes, this.ctx, this.entryCosts, this.callSiteCosts));
      reference.countedBudget = this.budget;
      reference.scan(body, definedIndex, out);
      this.budget = reference.countedBudget;
    }
  }

  private tryScan(body: FunctionBody, definedIndex: number, out: ScanResult): boolean {
    const ctx = this.ctx;
    const f = ctx.importedFunctionCount + definedIndex;
    const typeIndex = ctx.functionTypes[f];
    // An unknown type is the reference's error to report.
    if (typeIndex === undefined || typeIndex >= ctx.typeCount) return false;
    let localCount = ctx.paramCounts[typeIndex];
    for (let i = 0; i < body.locals.length; i++) localCount += body.locals[i].count;
    const wasm = this.wasm;
    try {
      if (wasm.load(this.bytes, ctx, this.entryCosts !== null) || wasm.entryOwner !== this) this.entryCostsStale = true;
      wasm.reserve(body.code.length);
      const entryChecked = this.entryCosts !== null && (this.entryCosts[f] >= 0 || this.entryCosts[f] === PAID_AT_CALL);
      if (this.entryCosts !== null && this.entryCostsStale) {
        wasm.entry.set(this.entryCosts);
        wasm.entryOwner = this;
        this.entryCostsStale = false;
      }
      wasm.x.scan(body.codeOffset, body.codeOffset + body.code.length, localCount, entryChecked ? 1 : 0, this.budget);
    } catch (error) {
      // A bail (a trap), or memory refused: the reference scans it.
      if (error instanceof WebAssembly.RuntimeError || error instanceof RangeError) return false;
      throw error;
    }
    stats.scanned++;
    this.copyResult(out, localCount);
    return true;
  }

  private copyResult(out: ScanResult, localCount: number): void {
    const wasm = this.wasm;
    const h = wasm.header;
    const [offsets, kinds, costs, loops, tight, unresolved, back, counted] = wasm.results;
    // Points are not copied: `out` views them where the accelerator wrote them, until its next scan.
    out.adoptPoints(h[H_COUNT], offsets as Int32Array, kinds as Uint8Array, costs as Int32Array, loops as Int32Array, tight as Uint8Array);
    out.localCount = localCount;
    out.needsScratch = h[H_NEEDS_SCRATCH] === 1;
    out.hasCall = h[H_HAS_CALL] === 1;
    out.callChecks = h[H_CALL_CHECKS];
    out.hasLoop = h[H_HAS_LOOP] === 1;
    out.hasTightLoop = h[H_HAS_TIGHT_LOOP] === 1;
    for (let i = 0; i < h[H_UNRESOLVED]; i++) out.unresolvedCallees.push(unresolved[i]);
    for (let i = 0; i < h[H_BACK]; i++) out.backLabels.set(back[2 * i], back[2 * i + 1]);
    for (let i = 0; i < h[H_COUNTED] * COUNTED_FIELDS; i += COUNTED_FIELDS) {
      const flags = counted[i + 5];
      const loop: CountedLoop = {
        counter: counted[i + 1],
        boundLocal: counted[i + 2],
        boundConst: counted[i + 3],
        step: counted[i + 4],
        unsignedLess: (flags & FLAG_UNSIGNED_LESS) !== 0,
        topTested: (flags & FLAG_TOP_TESTED) !== 0,
        signed: (flags & FLAG_SIGNED) !== 0,
      };
      out.counted.set(counted[i], loop);
    }
    this.budget = h[H_BUDGET];
  }
}
