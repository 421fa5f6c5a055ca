// The host functions a guest can import from module "heliosdb", each granted by one capability profile (and by
// every profile that includes it). Only granted functions are ever linked into an instance.

import { type CapabilityProfile, type CapabilityProfileName, expandProfile } from "./capabilities.ts";
import { ALLOC_FUNCTION, DEALLOC_FUNCTION } from "./host-blocks.ts";
import type { HostContext, HostFunctionDefinition } from "./host-call.ts";
import { EDGE_INVOKE_FUNCTION } from "./host-edge-invoke.ts";
import {
  CLOCK_FUNCTION,
  CONFIG_GET_FUNCTION,
  FUNCTION_NAME_FUNCTION,
  RANDOM_BYTES_FUNCTION,
  REGION_NAME_FUNCTION,
} from "./host-environment.ts";
import { HTTP_FETCH_FUNCTION } from "./host-http-fetch.ts";
import { LOG_FUNCTION, OUTPUT_FUNCTION } from "./host-log-output.ts";

export const HOST_FUNCTIONS: readonly HostFunctionDefinition[] = [
  LOG_FUNCTION,
  OUTPUT_FUNCTION,
  CONFIG_GET_FUNCTION,
  FUNCTION_NAME_FUNCTION,
  REGION_NAME_FUNCTION,
  CLOCK_FUNCTION,
  RANDOM_BYTES_FUNCTION,
  ALLOC_FUNCTION,
  DEALLOC_FUNCTION,
  EDGE_INVOKE_FUNCTION,
  HTTP_FETCH_FUNCTION,
];

export function hostFunctionsGrantedBy(profile: CapabilityProfile): HostFunctionDefinition[] {
  return [...linkPlanOf(profile).functions];
}

/** What a profile links. */
interface LinkPlan {
  /** A copy of the profile it was worked out for, compared by content. */
  profile: readonly string[];
  functions: readonly HostFunctionDefinition[];
  needsBridge: boolean;
}

// A sandbox isolate links the same profile into every instance it makes, so the last plan is nearly always the one.
let lastPlan: LinkPlan | null = null;

function linkPlanOf(profile: CapabilityProfile): LinkPlan {
  if (lastPlan !== null && sameNames(lastPlan.profile, profile)) return lastPlan;
  const granted = expandProfile(profile);
  const functions = HOST_FUNCTIONS.filter((fn) => granted.has(fn.grantedBy));
  lastPlan = { profile: [...profile], functions, needsBridge: functions.some((fn) => fn.async) };
  return lastPlan;
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The profile that introduces a host function, or null when no host function has that name. */
export function capabilityFor(name: string): CapabilityProfileName | null {
  return HOST_FUNCTIONS.find((fn) => fn.name === name)?.grantedBy ?? null;
}

/** True when the profile links a host function that suspends the guest (the handler must then run under JSPI). */
export function profileNeedsBridge(profile: CapabilityProfile): boolean {
  return linkPlanOf(profile).needsBridge;
}

/**
 * The import object for one instance: only the functions the profile grants are linked at all. Async ones are
 * wrapped as JSPI `WebAssembly.Suspending` imports, which the engine must support.
 */
export function linkHostFunctions(profile: CapabilityProfile, context: HostContext): Record<string, unknown> {
  const imports: Record<string, unknown> = {};
  for (const fn of linkPlanOf(profile).functions) {
    const implementation = fn.create(context);
    if (!fn.async) {
      imports[fn.name] = implementation;
      continue;
    }
    const Suspending = (WebAssembly as unknown as { Suspending?: new (fn: Function) => object }).Suspending;
    if (Suspending === undefined) throw new Error(`this engine has no JSPI (WebAssembly.Suspending), needed by ${fn.name}`);
    imports[fn.name] = new Suspending(implementation);
  }
  return imports;
}
