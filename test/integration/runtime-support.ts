// Helpers for the runtime integration tests: put a guest in the module store and deploy it to a region, the way the
// deploy service does, without going through the HTTP API or the registry.

import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { regionClient } from "../../src/regions/index.ts";
import {
  DEFAULT_LIMITS,
  type DeploymentBundle,
  type FunctionLimits,
  type FunctionVersion,
  sha256Hex,
  singleRoute,
} from "../../src/runtime/index.ts";
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
  /** Deployment sequence number; default: the next one of this test run (names are unique per test). */
  seq?: number;
}

let lastSeq = 0;
/** Sequence numbers increasing across the run, as the registry assigns them. */
export function nextSeq(): number {
  return ++lastSeq;
}

/** A deployment serving `version` 100% in its regions (routes null: the deployment that deletes the function). */
export function bundleOf(version: FunctionVersion, seq = nextSeq(), routes: "serve" | "delete" = "serve"): DeploymentBundle {
  const deployment = {
    name: version.name,
    seq,
    kind: routes === "serve" ? ("deploy" as const) : ("delete" as const),
    regions: routes === "serve" ? version.regions : [],
    routes: routes === "serve" ? { default: singleRoute(version.version), aliases: {} } : null,
    createdAt: new Date().toISOString(),
  };
  return { deployment, versions: routes === "serve" ? [version] : [] };
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
  const bundle = bundleOf(version, options.seq);
  for (const region of version.regions) await regionClient(env, region).activate(bundle);
  return version;
}

export function invoke(name: string, payload: string | Uint8Array = "", region = "wnam", authorized = false) {
  const bytes = typeof payload === "string" ? new TextEncoder().encode(payload) : payload;
  return regionClient(env, region).invokeByName(name, bytes.slice().buffer, { authorized });
}

export const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
