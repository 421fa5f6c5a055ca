// Running an invocation in a region, with the cold-path repair: the region object holds the function's deployment
// in memory and answers from it; only when it has none that serves the request (the name, the alias or the pinned
// version unknown there) is the registry asked, and the region is brought up to date if it missed a deployment.

import type { Env } from "../env.ts";
import { type InvokeOptions, regionClient } from "../regions/index.ts";
import { registryStub } from "../registry/index.ts";
import { type InvokeResult, UnknownFunctionError } from "../runtime/index.ts";

/** The region's answers that may mean it is behind the registry. */
const REPAIRABLE = new Set(["not_deployed_in_region", "unknown_alias", "unknown_version"]);

export async function invokeFunction(env: Env, region: string, name: string, payload: ArrayBuffer, options: InvokeOptions): Promise<InvokeResult> {
  const client = regionClient(env, region);
  try {
    return await client.invokeByName(name, payload, options);
  } catch (error) {
    if (!REPAIRABLE.has(String((error as { code?: unknown }).code))) throw error;
    const current = await registryStub(env).currentDeployment(name);
    if (current === null || current.deployment.routes === null) throw new UnknownFunctionError(name);
    // Applied only if newer than what the region holds. Asked again either way: the region's own background
    // catch-up may have applied this same deployment between its answer and now (then activate says "not newer").
    // A region that was current all along answers as before, on an error path only.
    await client.activate(current.deployment.regions.includes(region) ? current : { ...current, versions: [] });
    return await client.invokeByName(name, payload, options);
  }
}
