// Helpers for the runtime integration tests: put a guest in the module store and activate it in a region, the
// way the deploy pipeline does, without going through the HTTP API.

import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { regionClient } from "../../src/regions/index.ts";
import { DEFAULT_LIMITS, type FunctionLimits, type FunctionVersion, sha256Hex } from "../../src/runtime/index.ts";
import { instrumentModule } from "../../src/wasm/index.ts";

export function guestBytes(name: string): Uint8Array {
  const base64 = inject("runtimeGuests")[name];
  if (base64 === undefined) throw new Error(`no guest named ${name}; have ${Object.keys(inject("runtimeGuests")).join(", ")}`);
  return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
}

export interface ActivateOptions {
  limits?: Partial<FunctionLimits>;
  regions?: string[];
  private?: boolean;
  version?: number;
  profile?: string[];
}

let uniqueName = 0;
/** Function names unique across the test run, so tests never see each other's versions. */
export function freshName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${uniqueName++}`;
}

/** Stores the instrumented guest in R2 and returns its version record, without activating it anywhere. */
export async function storeGuest(name: string, guest: string, options: ActivateOptions = {}): Promise<FunctionVersion> {
  const bytes = guestBytes(guest);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const instrumented = instrumentModule(bytes, { maxMemoryPages: limits.maxMemoryPages });
  const instrumentedSha256 = await sha256Hex(instrumented);
  const moduleKey = `instrumented/${instrumentedSha256}.wasm`;
  await env.MODULES.put(moduleKey, instrumented);
  const regions = options.regions ?? ["wnam"];
  const version: FunctionVersion = {
    name,
    version: options.version ?? 1,
    sha256: await sha256Hex(bytes),
    instrumentedSha256,
    moduleKey,
    regions,
    profile: options.profile ?? ["minimal"],
    limits,
    config: {},
    private: options.private ?? false,
    deployedAt: new Date().toISOString(),
  };
  return version;
}

export async function activateGuest(name: string, guest: string, options: ActivateOptions = {}): Promise<FunctionVersion> {
  const version = await storeGuest(name, guest, options);
  for (const region of version.regions) await regionClient(env, region).activate(version);
  return version;
}

export function invoke(name: string, payload: string | Uint8Array = "", region = "wnam", authorized = false) {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return regionClient(env, region).invokeByName(name, bytes.slice().buffer, { authorized });
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
