// The exports an invocation runs a guest through, read from each new instance by a plan made once per module. What a
// module exports, and of which kind, is fixed by its bytes (WebAssembly.Module.exports lists it without an
// instance), so which entry it has, which optional exports exist and why it cannot run at all are worked out once;
// an instance is then asked only for the exports that exist, each once. An instance's exports object is a frozen
// dictionary, where every lookup by a name held in a variable is a hash probe: the per-instance checks were most of
// what reading the exports cost (about 4% of the sandbox isolate's time, sampled).

import { START_EXPORT } from "../wasm/fuel.ts";
import { GuestAbiViolationError } from "./errors.ts";
import {
  ALLOC_EXPORT,
  DEALLOC_EXPORT,
  type GuestEntryKind,
  guestEntryKind,
  HANDLE_REQUEST_EXPORT,
  HANDLER_EXPORT,
  MEMORY_EXPORT,
  WASI_INITIALIZE_EXPORT,
  WASI_START_EXPORT,
} from "./guest-abi.ts";

export interface GuestExports {
  kind: GuestEntryKind;
  memory: WebAssembly.Memory;
  /** Required by version 1 only; without it a host-made block (heliosdb_alloc) cannot be placed. */
  alloc: ((size: number) => unknown) | null;
  dealloc: ((ptr: number, size: number) => unknown) | null;
  /** `_start` (command), `handle_request` (v2) or `handle` (v1). */
  main: (...args: number[]) => unknown;
  /** The module's own start function (the instrumenter's __helios_start). */
  start: (() => unknown) | null;
  /** A WASI reactor's `_initialize` (never run for a command: its `_start` initializes itself). */
  initialize: (() => unknown) | null;
}

/** What a module's export list decides, for every instance of it. */
interface ExportPlan {
  kind: GuestEntryKind;
  main: string;
  alloc: boolean;
  dealloc: boolean;
  start: boolean;
  initialize: boolean;
  /** Why no instance of the module can run (the first missing required export), or null. */
  refusal: string | null;
}

const plans = new WeakMap<WebAssembly.Module, ExportPlan>();

function planOf(module: WebAssembly.Module): ExportPlan {
  let plan = plans.get(module);
  if (plan !== undefined) return plan;
  const kinds = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  const isFunction = (name: string) => kinds.get(name) === "function";
  const kind = guestEntryKind(isFunction);
  // The same checks, in the same order, as when they were made on each instance.
  let refusal: string | null = null;
  if (kinds.get(MEMORY_EXPORT) !== "memory") refusal = `no exported memory "${MEMORY_EXPORT}"`;
  else if (kind === "v1" && !isFunction(ALLOC_EXPORT)) refusal = `no exported function "${ALLOC_EXPORT}"`;
  else if (kind === "v1" && !isFunction(HANDLER_EXPORT)) refusal = `no exported function "${HANDLER_EXPORT}"`;
  plan = {
    kind,
    main: kind === "command" ? WASI_START_EXPORT : kind === "v2" ? HANDLE_REQUEST_EXPORT : HANDLER_EXPORT,
    alloc: isFunction(ALLOC_EXPORT),
    dealloc: isFunction(DEALLOC_EXPORT),
    start: isFunction(START_EXPORT),
    initialize: kind !== "command" && isFunction(WASI_INITIALIZE_EXPORT),
    refusal,
  };
  plans.set(module, plan);
  return plan;
}

/** The exports of `instance` (of `module`) an invocation uses; GuestAbiViolationError when a required one is missing. */
export function guestExportsOf(module: WebAssembly.Module, instance: WebAssembly.Instance): GuestExports {
  const plan = planOf(module);
  if (plan.refusal !== null) throw new GuestAbiViolationError(plan.refusal);
  const exports = instance.exports as Record<string, unknown>;
  type Fn = (...args: number[]) => unknown;
  return {
    kind: plan.kind,
    memory: exports[MEMORY_EXPORT] as WebAssembly.Memory,
    alloc: plan.alloc ? (exports[ALLOC_EXPORT] as Fn) : null,
    dealloc: plan.dealloc ? (exports[DEALLOC_EXPORT] as Fn) : null,
    main: exports[plan.main] as Fn,
    start: plan.start ? (exports[START_EXPORT] as () => unknown) : null,
    initialize: plan.initialize ? (exports[WASI_INITIALIZE_EXPORT] as () => unknown) : null,
  };
}
