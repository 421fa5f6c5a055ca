// The shape of a host module, in the spirit of Wasmtime's Linker and Store<T>: a host module is a group of host
// functions that declare, as data, everything the rest of the runtime derives from them: their import module and
// names, signatures, the capability that grants each, its fuel price, whether it suspends the guest (JSPI), the
// parent-side calls it makes through the host bridge, and the per-invocation state it needs (created lazily, on
// first use, in the invocation's HostContext — the Store<T> of one instance). The registry (host-functions.ts)
// lists the modules; linking, the capability check at deploy, the import allow-list, docs/abi.md's registry table
// and the one property test all read it.

import type { FuncSig } from "../wasm/index.ts";
import type { CapabilityProfileName } from "./capabilities.ts";
import type { HostBridge } from "./host-bridge.ts";
import type { HostContext } from "./host-call.ts";

/** What a host call costs, as data (docs/abi.md "Fuel"): repricing a call means changing these numbers only. */
export interface HostCallPrice {
  /** Charged on every call, before the call does anything. */
  base: number;
  /** One fuel per started `bytesPerFuel` bytes moved (0.5: two fuel per byte); 0 means bytes are free. */
  bytesPerFuel: number;
  /** Per row read or written (database calls). */
  perRow?: number;
}

/** A parent-side call a host function makes: a method of the per-invocation host bridge. */
export type ParentCallName = keyof HostBridge;

/** A host function's result: a status (i32), a value (i64 as bigint), or, for async ones, a promise of a status. */
export type HostFunctionResult = number | bigint | Promise<number>;

export type HostFunctionImplementation = (...args: number[]) => HostFunctionResult;

export interface HostFunctionDefinition {
  /** The import name, inside its module's import module. */
  name: string;
  /** The profile that introduces it; every profile that includes that one grants it too. */
  grantedBy: CapabilityProfileName;
  type: FuncSig;
  /** Waits on the parent: linked as a JSPI `WebAssembly.Suspending` import, so the guest suspends meanwhile. */
  async: boolean;
  price: HostCallPrice;
  /** Host-bridge methods it calls; a profile that links any of them gets a bridge for the invocation. */
  parentCalls: readonly ParentCallName[];
  /**
   * Makes the function for one instance. `price` is the definition's own (passed in so the data is the only
   * source of truth). Called once per instance, so per-call work should not allocate closures.
   */
  create(context: HostContext, price: HostCallPrice): HostFunctionImplementation;
}

/** One group of host functions, imported from one import module. */
export interface HostModule {
  /** Name in docs and errors, e.g. "environment". */
  name: string;
  /** The import module its functions are imported from ("heliosdb", "wasi_snapshot_preview1", ...). */
  importModule: string;
  functions: readonly HostFunctionDefinition[];
  /** Per-invocation state its functions share (documentation and the registry's checks; created lazily). */
  state: readonly HostState<unknown>[];
  /**
   * Some of its functions read the HTTP request head (HostContext.http: method, path, query, headers). The parent
   * sends the head into the sandbox only for a module that imports a function of such a host module
   * (importsReadRequestHead): for any other guest it could not be observed, and it is most of what an invocation's
   * arguments weigh on the way in. The property test checks every read against this flag.
   */
  readsRequestHead: boolean;
}

/** A registered function: its definition plus where it is imported from. */
export interface RegisteredHostFunction extends HostFunctionDefinition {
  /** The import module. */
  module: string;
  /** The host module that defines it. */
  hostModule: string;
}

/**
 * A slot of per-invocation state (Wasmtime's `T` in `Store<T>`, split by owner): made by `create` the first time a
 * host function of the invocation asks for it, so an invocation that never calls a function pays nothing for it.
 */
export interface HostState<T> {
  readonly name: string;
  create(context: HostContext): T;
}

export function defineHostState<T>(name: string, create: (context: HostContext) => T): HostState<T> {
  return { name, create };
}

/** The invocation's value of `slot`, created on first use. */
export function hostState<T>(context: HostContext, slot: HostState<T>): T {
  let value = context.states.get(slot) as T | undefined;
  if (value === undefined) {
    value = slot.create(context);
    context.states.set(slot, value);
  }
  return value;
}

/** A per-invocation counter against a quota (edge calls, fetches, database calls). */
export interface CallCounter {
  count: number;
}
