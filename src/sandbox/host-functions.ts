// The host-module registry and the linker. Every host module is listed once, here; linking an instance, the
// capability check and import allow-list at deploy (src/runtime/capabilities.ts), docs/abi.md's registry table and
// the property test all derive from HOST_MODULES. Adding a host call means adding a module (or a function to one)
// to this list, nothing else. Only functions the profile grants are ever linked into an instance.

import { type CapabilityProfile, type CapabilityProfileName, expandProfile } from "./capabilities.ts";
import { HOST_BLOCKS_MODULE } from "./host-blocks.ts";
import { DATABASE_MODULE } from "./host-database.ts";
import type { HostContext } from "./host-call.ts";
import { EDGE_INVOKE_MODULE } from "./host-edge-invoke.ts";
import { EDGE_INVOKE_ASYNC_MODULE } from "./host-edge-invoke-async.ts";
import { ENVIRONMENT_MODULE } from "./host-environment.ts";
import { HTTP_FETCH_MODULE } from "./host-http-fetch.ts";
import { HTTP_MODULE } from "./host-http.ts";
import { WASI_UNSUPPORTED_MODULE } from "./host-wasi-unsupported.ts";
import { WASI_HOST_MODULE } from "./host-wasi.ts";
import { LOG_OUTPUT_MODULE } from "./host-log-output.ts";
import type { HostFunctionImplementation, HostModule, RegisteredHostFunction } from "./host-module.ts";

/** Every host module, in the order their functions are listed and documented. */
export const HOST_MODULES: readonly HostModule[] = [
  LOG_OUTPUT_MODULE,
  HTTP_MODULE,
  ENVIRONMENT_MODULE,
  HOST_BLOCKS_MODULE,
  EDGE_INVOKE_MODULE,
  EDGE_INVOKE_ASYNC_MODULE,
  HTTP_FETCH_MODULE,
  DATABASE_MODULE,
  WASI_HOST_MODULE,
  WASI_UNSUPPORTED_MODULE,
];

/** Every host function of every module, with its import module. */
export const HOST_FUNCTIONS: readonly RegisteredHostFunction[] = HOST_MODULES.flatMap((hostModule) =>
  hostModule.functions.map((fn) => Object.freeze({ ...fn, module: hostModule.importModule, hostModule: hostModule.name })),
);

/** Import key "module.name" -> function: what the deploy check looks imports up in. */
const BY_IMPORT: ReadonlyMap<string, RegisteredHostFunction> = new Map(HOST_FUNCTIONS.map((fn) => [importKey(fn.module, fn.name), fn]));

export function importKey(module: string, name: string): string {
  return `${module}.${name}`;
}

/** Import keys of the functions whose host module reads the request head (HostModule.readsRequestHead). */
const REQUEST_HEAD_READERS: ReadonlySet<string> = new Set(
  HOST_MODULES.filter((m) => m.readsRequestHead).flatMap((m) => m.functions.map((fn) => importKey(m.importModule, fn.name))),
);

/**
 * Whether a module with these function imports can read the HTTP request head: it imports a function of a host
 * module that reads it. When it cannot, the parent leaves the head out of the invocation (InvocationRequest.http)
 * and the guest sees DEFAULT_HTTP_REQUEST, which nothing it links ever reads.
 */
export function importsReadRequestHead(imports: Iterable<{ module: string; name: string }>): boolean {
  for (const { module, name } of imports) if (REQUEST_HEAD_READERS.has(importKey(module, name))) return true;
  return false;
}

/** The registered function a module imports as `module.name`, if any. */
export function hostFunctionFor(module: string, name: string): RegisteredHostFunction | undefined {
  return BY_IMPORT.get(importKey(module, name));
}

export function hostFunctionsGrantedBy(profile: CapabilityProfile): RegisteredHostFunction[] {
  return [...linkPlanOf(profile).functions];
}

/** What a profile links. */
interface LinkPlan {
  /** A copy of the profile it was worked out for, compared by content. */
  profile: readonly string[];
  functions: readonly RegisteredHostFunction[];
  /** Some linked function makes parent-side calls: the invocation gets a host bridge. */
  needsBridge: boolean;
  /** Some linked function suspends the guest: the handler runs under JSPI. */
  needsJspi: boolean;
  /** The import names of `functions`, by position: what the host-call counts are reported under. */
  names: readonly string[];
}

// A sandbox isolate links the same profile into every instance it makes, so the last plan is nearly always the one.
let lastPlan: LinkPlan | null = null;
/** Per module: the profile's plan narrowed to what the module imports (one module and profile per isolate). */
const modulePlans = new WeakMap<WebAssembly.Module, LinkPlan>();

/**
 * The plan narrowed to the functions `module` imports: instantiation looks up imported names only, so linking the
 * rest would make a closure per granted function per instance for nothing (a minimal guest imports one or two of
 * the profile's functions). A granted function the module does not import is simply not linked; one it imports
 * but the profile does not grant stays missing, as before (the deploy refuses such a module; instantiation fails).
 */
function modulePlanOf(profile: CapabilityProfile, module: WebAssembly.Module): LinkPlan {
  const cached = modulePlans.get(module);
  if (cached !== undefined && sameNames(cached.profile, profile)) return cached;
  const imported = new Set(WebAssembly.Module.imports(module).filter((i) => i.kind === "function").map((i) => importKey(i.module, i.name)));
  const plan = linkPlanOf(profile);
  const functions = plan.functions.filter((fn) => imported.has(importKey(fn.module, fn.name)));
  const narrowed = { ...plan, functions, names: functions.map((fn) => fn.name) };
  modulePlans.set(module, narrowed);
  return narrowed;
}

function linkPlanOf(profile: CapabilityProfile): LinkPlan {
  if (lastPlan !== null && sameNames(lastPlan.profile, profile)) return lastPlan;
  const granted = expandProfile(profile);
  const functions = HOST_FUNCTIONS.filter((fn) => granted.has(fn.grantedBy));
  lastPlan = {
    profile: [...profile],
    functions,
    needsBridge: functions.some((fn) => fn.parentCalls.length > 0),
    needsJspi: functions.some((fn) => fn.async),
    names: functions.map((fn) => fn.name),
  };
  return lastPlan;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The profile that introduces the host function imported as `module.name`, or null when there is none. */
export function capabilityFor(module: string, name: string): CapabilityProfileName | null {
  return hostFunctionFor(module, name)?.grantedBy ?? null;
}

/** True when the profile links a host function that calls the parent (the invocation then needs a host bridge). */
export function profileNeedsBridge(profile: CapabilityProfile): boolean {
  return linkPlanOf(profile).needsBridge;
}

/** True when the profile links a host function that suspends the guest (the handler must then run under JSPI). */
export function profileNeedsJspi(profile: CapabilityProfile): boolean {
  return linkPlanOf(profile).needsJspi;
}

/**
 * The import object for one instance, by import module: only the functions the profile grants are linked at all,
 * and of those, given the module, only the ones it imports. Async ones are wrapped as JSPI `WebAssembly.Suspending`
 * imports, which the engine must support. Whether the invocation needs a bridge or JSPI is still the profile's
 * (profileNeedsBridge, profileNeedsJspi): the module does not narrow those.
 */
export function linkHostFunctions(profile: CapabilityProfile, context: HostContext, module?: WebAssembly.Module): WebAssembly.Imports {
  const imports: Record<string, Record<string, unknown>> = {};
  const plan = module === undefined ? linkPlanOf(profile) : modulePlanOf(profile, module);
  const counts = new Array<number>(plan.functions.length).fill(0);
  context.hostCallCounts = counts;
  context.hostCallNames = plan.names;
  for (let index = 0; index < plan.functions.length; index++) {
    const fn = plan.functions[index]!;
    const implementation = counted(fn.create(context, fn.price), counts, index);
    const target = (imports[fn.module] ??= {});
    if (!fn.async) {
      target[fn.name] = implementation;
      continue;
    }
    const Suspending = (WebAssembly as unknown as { Suspending?: new (fn: Function) => object }).Suspending;
    if (Suspending === undefined) throw new Error(`this engine has no JSPI (WebAssembly.Suspending), needed by ${fn.name}`);
    target[fn.name] = new Suspending(implementation);
  }
  return imports as WebAssembly.Imports;
}

/**
 * Counts every call of a linked function (the invocation's host calls by name, reported in its outcome): one array
 * increment in front of the call, so the count is kept even when the call fails or runs out of fuel.
 */
function counted(implementation: HostFunctionImplementation, counts: number[], index: number): HostFunctionImplementation {
  return (...args: number[]) => {
    counts[index]!++;
    return implementation(...args);
  };
}
