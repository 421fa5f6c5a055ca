// Rewrites a module so that it meters its own execution (fuel) and cannot outgrow its memory cap.
import { PolicyViolationError } from "./errors.ts";
import { CHARGE_EXPORT, FUEL_EXPORT, GROW_FAILED_EXPORT, RESERVED_EXPORT_PREFIX, START_EXPORT } from "./fuel.ts";
import { decodeModule, V8_LIMITS } from "./decoder.ts";
import { type CountedLoop, emitCountedCharge } from "./counted-loop.ts";
import { encodeSection } from "./encoder.ts";
import { prepaidFunctions } from "./prepaid.ts";
import { type CodeContext, PAID_AT_CALL, PointKind, ScanResult, codeContext, settlePreLoops } from "./scanner.ts";
import { functionScanner } from "./wasm-scanner.ts";
import { type Limits, SectionId, SECTION_RANK, type TableType, ValType, type WasmModule } from "./types.ts";
import { Reader } from "./reader.ts";
import { Writer } from "./writer.ts";

export interface InstrumentOptions {
  /** Memory pages (64 KiB) the module may ever have; its declared maximum is clamped to this. */
  maxMemoryPages: number;
  /** Elements any table may ever have; declared table maxima are clamped to this. Default: no clamp. */
  maxTableElements?: number;
  /**
   * Keep fuel in a local in functions with a call-free loop (faster, slightly larger code; the
   * default), or always charge the global. Both consume exactly the same fuel.
   */
  cacheFuelInLocals?: boolean;
  /**
   * decodeModule's decoding of these same bytes, when the caller has it (a deploy decodes once to
   * inspect the module): not decoded again then. Only read, never changed.
   */
  decoded?: WasmModule;
}

export interface InstrumentStats {
  functions: number;
  /** Region charges inserted (function entries, loop headers and br_table targets that cost something). */
  charges: number;
  /** Exhaustion checks inserted: after loop-header charges, and before calls no check precedes. */
  checks: number;
  dynamicCharges: number;
  /** Counted loops charged for all their iterations before they start (included in charges and checks). */
  countedLoops: number;
  /** Functions whose entry region their callers pay (prepaid.ts, prepaid or PAID_AT_CALL): no entry charge. */
  prepaidFunctions: number;
  inputBytes: number;
  outputBytes: number;
}

// Opcodes of the inserted sequences.
const GLOBAL_GET = 0x23;
const GLOBAL_SET = 0x24;
const LOCAL_GET = 0x20;
const LOCAL_SET = 0x21;
const LOCAL_TEE = 0x22;
const I32_CONST = 0x41;
const I32_EQ = 0x46;
const I64_CONST = 0x42;
const I64_SUB = 0x7d;
const I64_LT_S = 0x53;
const I64_GE_S = 0x59;
const I64_SHL = 0x86;
const I64_SHR_U = 0x88;
const I64_EXTEND_I32_U = 0xad;
const IF = 0x04;
const BLOCK = 0x02;
const BR = 0x0c;
const BR_TABLE = 0x0e;
const BLOCK_EMPTY = 0x40;
const UNREACHABLE = 0x00;
const END = 0x0b;

/** Sections the instrumenter never changes: copied from the input byte for byte, not re-encoded. */
const VERBATIM_SECTIONS: ReadonlySet<number> = new Set([SectionId.custom, SectionId.tag, SectionId.element, SectionId.dataCount, SectionId.data]);

/** log2 of the bytes one fuel unit pays for in memory.fill/copy/init (docs/limits.md). */
export const BULK_BYTES_SHIFT = 4;
/** log2 of the fuel one page of memory.grow costs. */
export const GROW_PAGE_SHIFT = 10;

function clampLimits(limits: Limits, cap: number, where: string, rule = "memory_pages", unit = "pages"): Limits {
  if (limits.min > cap) {
    throw new PolicyViolationError([{ rule, message: `${where} declares a minimum of ${limits.min} ${unit}, above the cap of ${cap}` }]);
  }
  return { min: limits.min, max: limits.max === null ? cap : Math.min(limits.max, cap) };
}

/**
 * Emits the fuel charge/check sequences; all of them leave the operand stack as they found it.
 *
 * Two modes per function. In global mode every charge is a read-modify-write of the exported
 * global. In local mode (functions with a call-free loop, and no exception handling) every charge
 * also leaves the new fuel in an i64 local, and the charges inside call-free loops read that local
 * instead of the global: a loop iteration then pays a register subtract and a store instead of a
 * load → subtract → store chain through memory. Every charge writes through to the global, so the
 * global is exact at every point — a trap anywhere sees the right value. Only a call (whose callee
 * charges the global) makes the local stale, and no call runs inside a call-free loop: the local
 * is refilled from the global before each outermost one. Exception handlers can be entered with a
 * stale local, hence functions with them stay in global mode.
 *
 * In global mode a function with checked charges (a loop, a dynamic charge, an entry that checks)
 * has the local too, only to carry each charge's result to its check: the check then tests a
 * register instead of loading the global it just stored (brotli's hottest loop, which calls, so
 * stays in global mode: about 1% of brotli's time). No charge reads it, so it is never stale.
 */
class ChargeEmitter {
  /** Local holding cached fuel, or -1 in global mode. */
  fuelLocal = -1;
  scratch = -1;
  // The fixed parts of the sequences, encoded once per function (the instrumenter's hot path
  // writes them with one copy each instead of a call per byte): fuel reads, the store after the
  // subtract, and the exhaustion check reading the global or the local.
  private readGlobal: Uint8Array;
  private readLocal: Uint8Array = new Uint8Array(0);
  private storeGlobal: Uint8Array;
  private storeBoth: Uint8Array = new Uint8Array(0);
  private checkGlobal: Uint8Array;
  private checkLocal: Uint8Array = new Uint8Array(0);
  /** What follows the fuel read in a check. */
  private readonly checkTail: Uint8Array;
  private readonly localSequences = new Map<number, { read: Uint8Array; store: Uint8Array; check: Uint8Array }>();

  constructor(private readonly fuelGlobal: number) {
    this.readGlobal = new Writer(8).u8(GLOBAL_GET).u32(fuelGlobal).finish().slice();
    this.storeGlobal = new Writer(8).u8(I64_SUB).u8(GLOBAL_SET).u32(fuelGlobal).finish().slice();
    this.checkGlobal = ChargeEmitter.check(this.readGlobal);
    this.checkTail = this.checkGlobal.slice(this.readGlobal.length);
  }

  private static check(read: Uint8Array): Uint8Array {
    return new Writer(16).bytes(read).u8(I64_CONST).u8(0).u8(I64_LT_S).u8(IF).u8(BLOCK_EMPTY).u8(UNREACHABLE).u8(END).finish().slice();
  }

  /** Sets the function's fuel local (-1: global mode) and scratch local. */
  useLocals(fuelLocal: number, scratch: number): void {
    this.scratch = scratch;
    if (fuelLocal === this.fuelLocal) return;
    this.fuelLocal = fuelLocal;
    if (fuelLocal < 0) return;
    // Most functions have a fuel local, and many the same index: each index's sequences are encoded once.
    let sequences = this.localSequences.get(fuelLocal);
    if (sequences === undefined) {
      sequences = this.encodeLocal(fuelLocal);
      this.localSequences.set(fuelLocal, sequences);
    }
    this.readLocal = sequences.read;
    this.storeBoth = sequences.store;
    this.checkLocal = sequences.check;
  }

  /** The fuel-local sequences for local `fuelLocal` (once per index: see useLocals). */
  private encodeLocal(fuelLocal: number): { read: Uint8Array; store: Uint8Array; check: Uint8Array } {
    const read = new Writer(8).u8(LOCAL_GET).u32(fuelLocal).finish().slice();
    const store = new Writer(16).u8(I64_SUB).u8(LOCAL_TEE).u32(fuelLocal).u8(GLOBAL_SET).u32(this.fuelGlobal).finish().slice();
    return { read, store, check: new Writer(32).bytes(read).bytes(this.checkTail).finish().slice() };
  }

  /** Pushes the current fuel, from the local when `fresh` (inside a call-free loop). */
  private fuel(w: Writer, fresh: boolean): void {
    w.bytes(fresh && this.fuelLocal >= 0 ? this.readLocal : this.readGlobal);
  }

  /** Subtracts the two i64 on the stack and stores the new fuel (to the local too, in local mode). */
  private subtractAndStore(w: Writer): void {
    w.bytes(this.fuelLocal >= 0 ? this.storeBoth : this.storeGlobal);
  }

  /** Traps when fuel is negative; reads the local only if the preceding store just wrote it. */
  private trapIfExhausted(w: Writer, stored: boolean, fresh: boolean): void {
    w.bytes((stored || fresh) && this.fuelLocal >= 0 ? this.checkLocal : this.checkGlobal);
  }

  charge(w: Writer, cost: number, check: boolean, fresh: boolean): void {
    if (cost > 0) {
      this.fuel(w, fresh);
      w.u8(I64_CONST).s32(cost);
      this.subtractAndStore(w);
    }
    if (check) this.trapIfExhausted(w, cost > 0, fresh);
  }

  /** Charges a counted loop for all its iterations (counted-loop.ts), then checks. */
  counted(w: Writer, loop: CountedLoop, cost: number, fresh: boolean): void {
    this.fuel(w, fresh);
    emitCountedCharge(w, loop, cost);
    // The new fuel is on the stack: store it as subtractAndStore does, without the subtract.
    if (this.fuelLocal >= 0) w.u8(LOCAL_TEE).u32(this.fuelLocal);
    w.u8(GLOBAL_SET).u32(this.fuelGlobal);
    this.trapIfExhausted(w, true, fresh);
  }

  /** Charges for the i32 length on top of the stack, keeping it there (via the scratch local). */
  dynamic(w: Writer, kind: PointKind, fresh: boolean): void {
    w.u8(LOCAL_TEE).u32(this.scratch);
    this.fuel(w, fresh);
    w.u8(LOCAL_GET).u32(this.scratch).u8(I64_EXTEND_I32_U);
    if (kind === PointKind.DynamicBytes) w.u8(I64_CONST).u8(BULK_BYTES_SHIFT).u8(I64_SHR_U);
    else if (kind === PointKind.DynamicPages) w.u8(I64_CONST).u8(GROW_PAGE_SHIFT).u8(I64_SHL);
    this.subtractAndStore(w);
    this.trapIfExhausted(w, true, fresh);
  }

  /** After a memory.grow: sets the grow-failed global when its result (kept on the stack) is -1. */
  afterGrow(w: Writer, growFailedGlobal: number): void {
    w.u8(LOCAL_TEE).u32(this.scratch).u8(I32_CONST).u8(0x7f).u8(I32_EQ);
    w.u8(IF).u8(BLOCK_EMPTY).u8(I32_CONST).u8(1).u8(GLOBAL_SET).u32(growFailedGlobal).u8(END);
    w.u8(LOCAL_GET).u32(this.scratch);
  }

  /**
   * Replaces the br_table at `at` (a dispatch loop's, scanner.ts): its targets that are the loop
   * itself go to a new block around it instead, whose end charges the loop header's `cost` (the
   * header only checks) and branches back to `loop` (its label). Returns where the br_table ends.
   */
  dispatchBack(w: Writer, bytes: Uint8Array, at: number, loop: number, cost: number, fresh: boolean): number {
    const r = new Reader(bytes, at + 1, bytes.length);
    const count = r.u32() + 1;
    const labels: number[] = [];
    for (let i = 0; i < count; i++) labels.push(r.u32());
    w.u8(LOCAL_SET).u32(this.scratch).u8(BLOCK).u8(BLOCK_EMPTY).u8(LOCAL_GET).u32(this.scratch).u8(BR_TABLE).u32(count - 1);
    for (let i = 0; i < count; i++) w.u32(labels[i] === loop ? 0 : labels[i] + 1);
    w.u8(END);
    this.charge(w, cost, false, fresh);
    w.u8(BR).u32(loop);
    return r.pos;
  }

  refill(w: Writer): void {
    w.u8(GLOBAL_GET).u32(this.fuelGlobal).u8(LOCAL_SET).u32(this.fuelLocal);
  }
}

/**
 * Returns the instrumented module: fuel metering in `__helios_fuel`, the start function exported
 * as `__helios_start`, memory maximum clamped to `maxMemoryPages`. No function, global or type
 * index changes, so names, tables and exports keep their meaning.
 */
export function instrumentModule(bytes: Uint8Array, options: InstrumentOptions): Uint8Array {
  return instrumentModuleWithStats(bytes, options).bytes;
}

export function instrumentModuleWithStats(bytes: Uint8Array, options: InstrumentOptions): { bytes: Uint8Array; stats: InstrumentStats } {
  const cap = options.maxMemoryPages;
  if (!Number.isInteger(cap) || cap < 0 || cap > V8_LIMITS.memoryPages) {
    throw new RangeError(`maxMemoryPages must be an integer in [0, ${V8_LIMITS.memoryPages}]`);
  }
  const tableCap = options.maxTableElements;
  if (tableCap !== undefined && (!Number.isInteger(tableCap) || tableCap < 0 || tableCap > V8_LIMITS.tableSize)) {
    throw new RangeError(`maxTableElements must be an integer in [0, ${V8_LIMITS.tableSize}]`);
  }
  // The data section is copied byte for byte (VERBATIM_SECTIONS): its segments are checked, not kept.
  const m = options.decoded ?? decodeModule(bytes, { keepData: false });
  const ctx = codeContext(m);
  const clampTable = (t: TableType, where: string): TableType =>
    tableCap === undefined ? t : { ...t, limits: clampLimits(t.limits, tableCap, where, "table_elements", "elements") };

  for (const e of m.exports) {
    if (e.name.startsWith(RESERVED_EXPORT_PREFIX)) {
      throw new PolicyViolationError([{ rule: "reserved_export", message: `export name "${e.name}" is reserved for the runtime` }]);
    }
  }

  // Fuel lives in a new global appended after every existing one (the grow-failed flag right after it), and the host's charge function
  // is a new function appended after every existing one (its type too, if no `(i32) -> i32`
  // exists): no index moves.
  const fuelGlobal = ctx.globalCount;
  const chargeFunction = ctx.functionTypes.length;
  let chargeType = m.types.findIndex((t) => t.params.length === 1 && t.params[0] === ValType.i32 && t.results.length === 1 && t.results[0] === ValType.i32);
  const types = chargeType >= 0 ? m.types : [...m.types, { params: [ValType.i32], results: [ValType.i32] }];
  if (chargeType < 0) chargeType = m.types.length;
  const out: WasmModule = {
    ...m,
    memories: m.memories.map((l, i) => clampLimits(l, cap, `memory ${i}`)),
    tables: m.tables.map((t, i) => clampTable(t, `table ${i}`)),
    imports: m.imports.map((imp) => {
      const where = `imported ${imp.desc.kind} ${imp.module}.${imp.name}`;
      if (imp.desc.kind === "memory") return { ...imp, desc: { kind: "memory", limits: clampLimits(imp.desc.limits, cap, where) } };
      if (imp.desc.kind === "table") return { ...imp, desc: { kind: "table", type: clampTable(imp.desc.type, where) } };
      return imp;
    }),
    types,
    functions: [...m.functions, chargeType],
    globals: [
      ...m.globals,
      { type: { valType: ValType.i64, mutable: true }, init: Uint8Array.of(I64_CONST, 0, END) },
      { type: { valType: ValType.i32, mutable: true }, init: Uint8Array.of(I32_CONST, 0, END) },
    ],
    exports: [
      ...m.exports,
      { name: FUEL_EXPORT, kind: "global", index: fuelGlobal },
      { name: GROW_FAILED_EXPORT, kind: "global", index: fuelGlobal + 1 },
      { name: CHARGE_EXPORT, kind: "func", index: chargeFunction },
      ...(m.start !== null ? [{ name: START_EXPORT, kind: "func" as const, index: m.start }] : []),
    ],
    start: null,
  };

  const stats: InstrumentStats = { functions: m.code.length, charges: 0, checks: 0, dynamicCharges: 0, countedLoops: 0, prepaidFunctions: 0, inputBytes: bytes.length, outputBytes: 0 };
  const code = instrumentCode(bytes, m, ctx, fuelGlobal, stats, options.cacheFuelInLocals ?? true);
  code.sized(chargeFunctionBody(fuelGlobal));

  // Layout: the input's own order, with global and export sections added where the order needs them.
  const layout = m.layout!.filter((s) => s.id !== SectionId.start);
  for (const id of [SectionId.type, SectionId.function, SectionId.global, SectionId.export, SectionId.code]) {
    if (layout.some((s) => s.id === id)) continue;
    const rank = SECTION_RANK[id];
    let at = layout.findIndex((s) => s.id !== SectionId.custom && SECTION_RANK[s.id] > rank);
    if (at < 0) at = layout.length;
    layout.splice(at, 0, { id });
  }

  const w = new Writer(Math.ceil(bytes.length * 1.25) + 256);
  w.bytes(bytes.subarray(0, 8));
  for (const entry of layout) {
    if (entry.start !== undefined && entry.end !== undefined && (VERBATIM_SECTIONS.has(entry.id) || (entry.id === SectionId.type && types === m.types))) {
      w.range(bytes, entry.start, entry.end);
    } else if (entry.id === SectionId.code) {
      w.u8(SectionId.code).sized(code);
    } else {
      w.u8(entry.id).sized(encodeSection(out, entry.id));
    }
  }
  // A copy of exactly the right size: callers hand `.buffer` to WebAssembly and the Worker Loader.
  const result = w.finish().slice();
  stats.outputBytes = result.length;
  return { bytes: result, stats };
}

/** The body of CHARGE_EXPORT: fuel -= amount (unsigned); return fuel >= 0. */
function chargeFunctionBody(fuelGlobal: number): Uint8Array {
  return new Writer(24)
    .u8(0) // no locals
    .u8(GLOBAL_GET).u32(fuelGlobal)
    .u8(LOCAL_GET).u8(0)
    .u8(I64_EXTEND_I32_U)
    .u8(I64_SUB)
    .u8(GLOBAL_SET).u32(fuelGlobal)
    .u8(GLOBAL_GET).u32(fuelGlobal)
    .u8(I64_CONST).u8(0)
    .u8(I64_GE_S)
    .u8(END)
    .finish()
    .slice();
}

function instrumentCode(
  bytes: Uint8Array,
  m: WasmModule,
  ctx: CodeContext,
  fuelGlobal: number,
  stats: InstrumentStats,
  allowCache: boolean,
): Writer {
  const prepaid = prepaidFunctions(bytes, m, ctx);
  const scanner = functionScanner(bytes, ctx, prepaid.entryCosts, prepaid.callSiteCosts);
  const reused = new ScanResult();
  const emit = new ChargeEmitter(fuelGlobal);
  const section = new Writer(Math.ceil(bytes.length * 1.2) + 64);
  const body = new Writer(1 << 12);
  section.u32(m.code.length + 1); // + the charge function, appended by the caller
  for (let f = 0; f < m.code.length; f++) {
    const fn = m.code[f];
    // prepaid.ts scanned the candidates already; a prepaid function's entry charge is to come from its callers.
    let scan = prepaid.scans.get(ctx.importedFunctionCount + f);
    if (scan !== undefined) {
      const entryCost = prepaid.entryCosts[ctx.importedFunctionCount + f];
      if (entryCost >= 0 || entryCost === PAID_AT_CALL) {
        scan.costs[0] = 0;
        stats.prepaidFunctions++;
      }
    } else {
      scan = reused;
      scanner.scan(fn, f, scan);
    }
    body.length = 0;
    const cacheFuel = allowCache && scan.hasTightLoop && !scan.hasExceptions;
    if (cacheFuel) settlePreLoops(scan);
    let extraLocals = scan.localCount;
    const scratch = scan.needsScratch ? extraLocals++ : -1;
    // Elsewhere, where a charge is checked (loop headers, dynamic charges, an entry that checks), the
    // fuel local only carries each charge's result to its check, which then tests a register instead
    // of loading the global back (ChargeEmitter: no charge reads it, so exceptions cannot make it stale).
    const teeFuel = allowCache && !cacheFuel && (scan.hasLoop || scan.needsScratch || scan.callChecks > 1) && extraLocals < V8_LIMITS.locals;
    const fuelLocal = cacheFuel || teeFuel ? extraLocals++ : -1;
    emit.useLocals(fuelLocal, scratch);
    if (extraLocals > V8_LIMITS.locals) {
      throw new PolicyViolationError([{ rule: "locals", message: `function ${ctx.importedFunctionCount + f} has too many locals to meter` }]);
    }
    body.u32(fn.locals.length + (scan.needsScratch ? 1 : 0) + (fuelLocal >= 0 ? 1 : 0));
    for (let i = 0; i < fn.locals.length; i++) body.u32(fn.locals[i].count).u8(fn.locals[i].type);
    if (scan.needsScratch) body.u32(1).u8(ValType.i32);
    if (fuelLocal >= 0) body.u32(1).u8(ValType.i64);
    emitPoints(bytes, fn, scan, emit, body, fuelGlobal, stats, cacheFuel);
    if (body.length > V8_LIMITS.functionSize) {
      throw new PolicyViolationError([{ rule: "function_size", message: `function ${ctx.importedFunctionCount + f} is too large to meter` }]);
    }
    section.u32(body.length).bytes(body.finish());
  }
  return section;
}

/** Copies the function's code into `body` with each scanned point's sequence inserted before it. */
function emitPoints(
  bytes: Uint8Array,
  fn: WasmModule["code"][number],
  scan: ScanResult,
  emit: ChargeEmitter,
  body: Writer,
  fuelGlobal: number,
  stats: InstrumentStats,
  cacheFuel: boolean,
): void {
  let copied = fn.codeOffset;
  const { offsets, kinds, costs, loops, tight } = scan;
  for (let i = 0; i < scan.count; i++) {
    const at = offsets[i];
    const kind = kinds[i];
    body.range(bytes, copied, at);
    copied = at;
    switch (kind) {
      case PointKind.Entry:
        // In local mode the entry fills the local (a charge tees it) for loops no call precedes.
        if (cacheFuel && costs[i] === 0) emit.refill(body);
        // Several calls that need a check: one check at the entry is smaller and checks them all.
        emit.charge(body, costs[i], scan.callChecks > 1, false);
        if (costs[i] > 0) stats.charges++;
        if (scan.callChecks > 1) stats.checks++;
        break;
      case PointKind.CallCharge:
        // A call cycle's callee's entry region, paid by its caller (prepaid.ts, PAID_AT_CALL).
        emit.charge(body, costs[i], true, false);
        stats.charges++;
        stats.checks++;
        break;
      case PointKind.CallCheck:
        if (scan.callChecks > 1) break;
        // The global holds the charged fuel at every instruction; no call runs inside a call-free loop.
        emit.charge(body, 0, true, false);
        stats.checks++;
        break;
      case PointKind.LoopHeader:
        // A loop's region costs 0 only if no path through it branches back: it needs no check either.
        if (costs[i] === 0) break;
        emit.charge(body, costs[i], true, cacheFuel && tight[i] === 1);
        stats.charges++;
        stats.checks++;
        break;
      case PointKind.LoopCheck:
        // A dispatch loop's header: the regions its br_table leads to pay for it (scanner.ts).
        emit.charge(body, 0, true, cacheFuel && tight[i] === 1);
        stats.checks++;
        break;
      case PointKind.DispatchBack:
        copied = emit.dispatchBack(body, bytes, at, scan.backLabels.get(i)!, costs[i], cacheFuel && tight[loops[i]] === 1);
        stats.charges++;
        break;
      case PointKind.Split:
        if (costs[i] === 0) break;
        emit.charge(body, costs[i], false, cacheFuel && loops[i] >= 0 && tight[loops[i]] === 1);
        stats.charges++;
        break;
      case PointKind.PreLoop:
        if (cacheFuel && scan.hasCall) emit.refill(body);
        break;
      case PointKind.CountedLoop:
        emit.counted(body, scan.counted.get(i)!, costs[i], cacheFuel && loops[i] >= 0 && tight[loops[i]] === 1);
        stats.charges++;
        stats.checks++;
        stats.countedLoops++;
        break;
      case PointKind.None:
        break;
      case PointKind.AfterGrow:
        emit.afterGrow(body, fuelGlobal + 1);
        break;
      default:
        emit.dynamic(body, kind, cacheFuel && loops[i] >= 0 && tight[loops[i]] === 1);
        stats.dynamicCharges++;
    }
  }
  body.range(bytes, copied, fn.codeOffset + fn.code.length);
}
