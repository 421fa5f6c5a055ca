// How the Worker talks to a region object: the stub (with its location hint) and methods that throw the rebuilt
// runtime error classes instead of returning RPC results.

import type { Env } from "../env.ts";
import { errorFromSerialized, type FunctionVersion, type InvokeResult } from "../runtime/index.ts";
import { ModuleDigestMismatchError, ModuleMissingError } from "./errors.ts";
import type { InvokeOptions, RpcResult } from "./region-object.ts";

/** Cloudflare's Durable Object location hints; a region named after one is placed there on first use. */
export const LOCATION_HINTS: readonly DurableObjectLocationHint[] = [
  "wnam",
  "enam",
  "sam",
  "weur",
  "eeur",
  "apac",
  "oc",
  "afr",
  "me",
];

export interface RegionClient {
  readonly region: string;
  /** Returns false when the region already holds this or a newer version (the call changed nothing). */
  activate(version: FunctionVersion): Promise<boolean>;
  /** Returns false when the region holds a newer version than `version` (the call changed nothing). */
  deactivate(name: string, version: number): Promise<boolean>;
  invokeByName(name: string, payload: ArrayBuffer, options: InvokeOptions): Promise<InvokeResult>;
  activeVersions(): Promise<FunctionVersion[]>;
}

export function isLocationHint(region: string): region is DurableObjectLocationHint {
  return (LOCATION_HINTS as readonly string[]).includes(region);
}

export function regionClient(env: Env, region: string): RegionClient {
  const id = env.REGION.idFromName(region);
  // The hint only matters the first time the object is created; later gets reach it wherever it lives.
  const stub = env.REGION.get(id, isLocationHint(region) ? { locationHint: region } : undefined);
  return {
    region,
    activate: async (version) => unwrap(await stub.activate(region, version)),
    deactivate: async (name, version) => unwrap(await stub.deactivate(name, version)),
    invokeByName: async (name, payload, options) => unwrap(await stub.invokeByName(region, name, payload, options)),
    activeVersions: async () => unwrap(await stub.activeVersions()),
  };
}

function unwrap<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  const { code, details } = result.error;
  // This layer's own failures are rebuilt here; the runtime layer cannot know them.
  if (code === "module_missing") throw new ModuleMissingError(String(details.key));
  if (code === "module_digest_mismatch") {
    throw new ModuleDigestMismatchError(String(details.key), String(details.expected), String(details.actual));
  }
  throw errorFromSerialized(result.error);
}
