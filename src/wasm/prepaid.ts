// Prepaid functions (docs/limits.md, "Prepaid functions"): a small function only direct calls can
// reach charges nothing at its entry; each call to it adds its entry region's cost to the caller's
// path instead, which the caller's region charge then pays with the rest of its constant. Small hot
// helpers (an interpreter's reference-count release, say) then run without a read-modify-write of
// the fuel global per call.
import { MalformedModuleError } from "./errors.ts";
import { type CodeContext, type EntryCosts, NOT_PREPAID, ScanResult, UNRESOLVED } from "./scanner.ts";
import { functionScanner } from "./wasm-scanner.ts";
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
 * add) costing at most MAX_PREPAID_COST, once every candidate it calls is worked out; candidates
 * that call each other in a cycle (recursion included) are not: every call cycle keeps an entry
 * charge, and the check before the call in it.
 */
export function prepaidFunctions(bytes: Uint8Array, m: WasmModule, ctx: CodeContext): Prepaid {
  const base = ctx.importedFunctionCount;
  const entryCosts = new Int32Array(ctx.functionTypes.length).fill(NOT_PREPAID);
  const scans = new Map<number, ScanResult>();
  const pending: number[] = [];
  for (let i = 0; i < m.code.length; i++) {
    if (m.code[i].code.length <= MAX_PREPAID_BODY_BYTES && !ctx.declaredFunctions[base + i] && base + i !== m.start) {
      entryCosts[base + i] = UNRESOLVED;
      pending.push(base + i);
    }
  }
  if (pending.length === 0) return { entryCosts, scans };
  const scanner = functionScanner(bytes, ctx, entryCosts);
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
  if (waiting.length === 0) return { entryCosts, scans };
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
  // What is left is in a call cycle or calls into one: it keeps its entry charge.
  for (let w = 0; w < waiting.length; w++) if (entryCosts[waiting[w]] === UNRESOLVED) entryCosts[waiting[w]] = NOT_PREPAID;
  // A kept scan that saw a callee unresolved is the instrumenter's only if that callee adds nothing
  // after all (not prepaid, or prepaid at no cost); else the instrumenter scans the function again.
  for (let w = 0; w < waiting.length; w++) {
    const kept = scans.get(waiting[w]);
    if (kept === undefined || entryCosts[waiting[w]] >= 0) continue;
    const callees = kept.unresolvedCallees;
    for (let k = 0; k < callees.length; k++) {
      if (entryCosts[callees[k]] > 0) {
        scans.delete(waiting[w]);
        break;
      }
    }
  }
  return { entryCosts, scans };
}
