// Running an invocation in a region, with the cold-path repair. Where the caller may run it itself (`here`: the
// Worker that received the request, for a region it runs in), the Worker's isolate runs it from its deployment cache
// (src/regions/isolate-invoker.ts); otherwise one of the region's pool of objects does. Both answer from the
// deployment in memory; only when it serves nothing for the request (the name, the alias or the pinned version
// unknown there) is the registry asked, and the region (pool and this isolate) is brought up to date.

import type { Env } from "../env.ts";
import { headOf, type InvokeOptions, isolateInvoker, regionClient } from "../regions/index.ts";
import { registryStub } from "../registry/index.ts";
import { type InvokeResult, UnknownFunctionError } from "../runtime/index.ts";

/** The region's answers that may mean it is behind the registry. */
const REPAIRABLE = new Set(["not_deployed_in_region", "unknown_alias", "unknown_version"]);

/** Run in this isolate: the request's waitUntil carries the observations and background work. */
export interface RunHere {
  waitUntil: (promise: Promise<unknown>) => void;
}

export async function invokeFunction(env: Env, region: string, name: string, payload: ArrayBuffer, options: InvokeOptions, here?: RunHere): Promise<InvokeResult> {
  // A request head still to be made is made for the region's object (RPC carries values); here, only if the guest
  // can read it (invocation-runner.ts).
  const sent = here === undefined && typeof options.http === "function" ? { ...options, http: headOf(options.http) } : options;
  const run = () =>
    here !== undefined ? isolateInvoker(env).invokeByName(region, name, payload, sent, here.waitUntil) : regionClient(env, region).invokeByName(name, payload, sent);
  try {
    return await run();
  } catch (error) {
    if (!REPAIRABLE.has(String((error as { code?: unknown }).code))) throw error;
    const current = await registryStub(env).currentDeployment(name);
    if (current === null || current.deployment.routes === null) throw new UnknownFunctionError(name);
    // Applied only if newer than what the region holds. Asked again either way: the region's own background
    // catch-up may have applied this same deployment between its answer and now (then activate says "not newer").
    // A region that was current all along answers as before, on an error path only.
    // The push reaches this isolate's deployment cache too (region-client.ts).
    await regionClient(env, region).activate(current.deployment.regions.includes(region) ? current : { ...current, versions: [] });
    return await run();
  }
}
