// Prepaid functions (docs/limits.md, "Prepaid functions"): a small function only direct calls can
// reach charges nothing at its entry; each call to it adds its entry region's cost to the caller's
// path instead, which the caller's region charge then pays with the rest of its constant. Small hot
// helpers (an interpreter's reference-count release, say) then run without a read-modify-write of
// the fuel global per call.
import { MalformedModuleError } from "./errors.ts";
import { type CodeContext, type EntryCosts, NOT_PREPAID, PAID_AT_CALL, ScanResult, UNRESOLVED } from "./scanner.ts";
import { type BodyScanner, functionScanner } from "./wasm-scanner.ts";
import type { WasmModule } from "./types.ts";

/**
 * Bodies longer than this keep their entry charge: working out entry costs scans each candidate
 * ahead of the instrumenter, and the helpers that gain are the short ones, where an entry charge
 * costs the most.
 */
export const MAX_PREPAID_BODY_BYTES = 256;
/**
 * A prepaid entry cost is at most this. It bounds what prepaid callees add to a caller's region: a
 * call is at least 2 bytes and a body at most 7,654,321, so a region's charge stays below 2^31.
 */
export const MAX_PREPAID_COST = 255;

export interface Prepaid {
  /** What a direct call to each function adds to its caller's path (NOT_PREPAID: nothing). */
  entryCosts: EntryCosts;
  /** PAID_AT_CALL functions (by function index): the entry region each call to them charges before it. */
  callSiteCosts: Int32Array;
  /**
   * Scans (by function index) exactly as the instrumenter's own would be, so that it need not scan
   * those functions again: every prepaid function's, and the candidates' that are not prepaid in
   * the end (entry cost too high, or in a call cycle) but whose scan saw the final entry costs.
   */
  scans: Map<number, ScanResult>;
}

/**
 * Works out which functions are prepaid. A candidate is a defined function of at most
 * MAX_PREPAID_BODY_BYTES that no export, element segment or global initialiser names and that is
 * not the start function: only `call` and `return_call` can enter it, and the scanner sees each of
 * those in its caller. A candidate is prepaid, its entry region (with what its own prepaid callees
 * add) costing at most MAX_PREPAID_COST, once every candidate it calls is worked out. Candidates
 * in a call cycle, or calling into one, are not prepaid: those that call themselves are PAID_AT_CALL
 * (their entry region charged, and checked, right before each call to them: docs/limits.md,
 * "Functions that call themselves"), the others keep an entry charge and the check before the call
 * in the cycle; either way every call cycle passes a check.
 */
export function prepaidFunctions(bytes: Uint8Array, m: WasmModule, ctx: CodeContext): Prepaid {
  const base = ctx.importedFunctionCount;
  const entryCosts = new Int32Array(ctx.functionTypes.length).fill(NOT_PREPAID);
  const callSiteCosts = new Int32Array(ctx.functionTypes.length);
  const scans = new Map<number, ScanResult>();
  const pending: number[] = [];
  for (let i = 0; i < m.code.length; i++) {
    if (m.code[i].code.length <= MAX_PREPAID_BODY_BYTES && !ctx.declaredFunctions[base + i] && base + i !== m.start) {
      entryCosts[base + i] = UNRESOLVED;
      pending.push(base + i);
    }
  }
  if (pending.length === 0) return { entryCosts, callSiteCosts, scans };
  const scanner = functionScanner(bytes, ctx, entryCosts, callSiteCosts);
  const scan = new ScanResult();
  /**
   * Scans f; it is settled unless it calls a candidate not worked out yet (returned then). Its scan
   * is kept either way: a candidate is scanned as the instrumenter scans a function that is not
   * prepaid (its entry unchecked), and calls to candidates not worked out add nothing to it, as
   * calls to functions that are not prepaid do.
   */
  const resolve = (f: number): number[] | null => {
    try {
      // entryCosts changes as candidates settle: the accelerated scanner copies it again (FunctionScanner reads it).
      scanner.entryCostsChanged?.();
      scanner.scan(m.code[f - base], f - base, scan);
    } catch (error) {
      // Malformed: the instrumenter's own scan reports it, in function order.
      if (!(error instanceof MalformedModuleError)) throw error;
      entryCosts[f] = NOT_PREPAID;
      scans.delete(f);
      return null;
    }
    const kept = scan.snapshot();
    scans.set(f, kept);
    if (scan.unresolvedCallees.length > 0) return kept.unresolvedCallees;
    if (scan.costs[0] <= MAX_PREPAID_COST) {
      entryCosts[f] = scan.costs[0];
      kept.dropCallChecks();
    } else entryCosts[f] = NOT_PREPAID;
    return null;
  };

  // First in index order (a callee usually comes first); then, for the functions that called one not
  // yet worked out, in dependency order: each is scanned again once all it calls are settled.
  // (Indexed loops throughout: this runs while the process is cold, where a for-of makes an
  // iterator result object per element.)
  const waiting: number[] = [];
  const waitingCallees: number[][] = [];
  for (let i = 0; i < pending.length; i++) {
    const callees = resolve(pending[i]);
    if (callees !== null) {
      waiting.push(pending[i]);
      waitingCallees.push(callees);
    }
  }
  if (waiting.length === 0) return { entryCosts, callSiteCosts, scans };
  const blockers = new Map<number, number>();
  const dependents = new Map<number, number[]>();
  const ready: number[] = [];
  for (let w = 0; w < waiting.length; w++) {
    const f = waiting[w];
    const callees = waitingCallees[w];
    let open = 0;
    for (let k = 0; k < callees.length; k++) {
      const g = callees[k];
      // Each callee once, in order of first call.
      if (entryCosts[g] !== UNRESOLVED || callees.indexOf(g) < k) continue;
      open++;
      const list = dependents.get(g);
      if (list === undefined) dependents.set(g, [f]);
      else list.push(f);
    }
    if (open === 0) ready.push(f);
    else blockers.set(f, open);
  }
  while (ready.length > 0) {
    const f = ready.pop()!;
    // Everything f calls is settled now: this scan settles f.
    if (resolve(f) !== null) entryCosts[f] = NOT_PREPAID;
    const list = dependents.get(f);
    for (let k = 0; list !== undefined && k < list.length; k++) {
      const d = list[k];
      const open = blockers.get(d)! - 1;
      blockers.set(d, open);
      if (open === 0) ready.push(d);
    }
  }
  // What is left is in a call cycle or calls into one. One that calls itself (waiting on itself) is paid
  // at each call, by its callers (fib's two calls); the rest keep their entry charge: paying at every
  // call site costs a charge per site, worth it where the calls are the recursion itself.
  const atCall: number[] = [];
  for (let w = 0; w < waiting.length; w++) {
    const f = waiting[w];
    if (entryCosts[f] !== UNRESOLVED) continue;
    const selfCalling = waitingCallees[w].indexOf(f) >= 0;
    entryCosts[f] = selfCalling ? PAID_AT_CALL : NOT_PREPAID;
    if (selfCalling) atCall.push(f);
  }
  // A kept scan that saw a callee unresolved is the instrumenter's only if that callee adds nothing
  // after all (not prepaid, or prepaid at no cost, and not paid at the call); else the instrumenter
  // scans the function again (paidAtCall rescans its own).
  for (let w = 0; w < waiting.length; w++) {
    const kept = scans.get(waiting[w]);
    if (kept === undefined || entryCosts[waiting[w]] >= 0) continue;
    const callees = kept.unresolvedCallees;
    for (let k = 0; k < callees.length; k++) {
      if (entryCosts[callees[k]] > 0 || entryCosts[callees[k]] === PAID_AT_CALL) {
        scans.delete(waiting[w]);
        break;
      }
    }
  }
  paidAtCall(m, base, scanner, scan, atCall, callSiteCosts, scans);
  return { entryCosts, callSiteCosts, scans };
}

/**
 * Works out what a call to each PAID_AT_CALL function charges: its entry region, scanned with every
 * entry cost final (its calls of PAID_AT_CALL functions add nothing to its path: they charge on
 * their own). A second scan, once all those are known, is the instrumenter's: its call-site charges
 * then carry their callees' costs.
 */
function paidAtCall(
  m: WasmModule,
  base: number,
  scanner: BodyScanner,
  scan: ScanResult,
  atCall: number[],
  callSiteCosts: Int32Array,
  scans: Map<number, ScanResult>,
): void {
  // Their entry costs changed (PAID_AT_CALL): an accelerated scanner copies them again.
  scanner.entryCostsChanged?.();
  for (let k = 0; k < atCall.length; k++) {
    scanner.scan(m.code[atCall[k] - base], atCall[k] - base, scan);
    callSiteCosts[atCall[k]] = scan.costs[0];
  }
  for (let k = 0; k < atCall.length; k++) {
    scanner.scan(m.code[atCall[k] - base], atCall[k] - base, scan);
    scans.set(atCall[k], scan.snapshot());
  }
}
