// POST /v1/functions/:name/invoke — the hot path. It reads no storage: the region object holds the active
// version in memory. The registry is consulted only when the region does not know the name.

import { Hono } from "hono";
import type { Env } from "../../env.ts";
import { regionClient } from "../../regions/index.ts";
import { registryStub } from "../../registry/index.ts";
import { LIMIT_CEILINGS, UnknownFunctionError, type InvokeResult } from "../../runtime/index.ts";
import { checkCredential } from "../auth.ts";
import { PayloadTooLargeError, UnauthorizedError } from "../errors.ts";
import type { HonoEnv } from "../hono-env.ts";
import { assertFunctionName } from "../manifest.ts";
import { readBodyCapped } from "../read-body.ts";
import { chooseRegion, regionConfig, type CallerLocation } from "../regions.ts";

export const invokeRoutes = new Hono<HonoEnv>();

invokeRoutes.post("/v1/functions/:name/invoke", async (c) => {
  const name = c.req.param("name");
  assertFunctionName(name);
  const region = chooseRegion(
    regionConfig(c.env),
    c.req.query("region") ?? c.req.header("x-helios-region"),
    c.req.raw.cf as CallerLocation | undefined,
  );
  const credential = await checkCredential(c.req.header("authorization"), c.env.HELIOS_TOKEN);
  if (credential === "invalid") throw new UnauthorizedError();

  // The per-function payload limit is enforced by the region object; here the body is bounded by the
  // ceiling every function's limit lies under, so nothing larger is ever held.
  const ceiling = LIMIT_CEILINGS.maxPayloadBytes;
  const payload = await readBodyCapped(c.req.raw, ceiling, () => new PayloadTooLargeError(ceiling));
  const result = await invokeInRegion(c.env, region, name, toArrayBuffer(payload), credential === "valid");

  return new Response(result.output, {
    headers: {
      "content-type": "application/octet-stream",
      "x-helios-region": result.region,
      "x-helios-sha256": result.sha256,
      "x-helios-version": String(result.version),
      "x-helios-fuel-used": String(result.fuelUsed),
      "x-helios-memory-pages": String(result.memoryPages),
      "x-helios-duration-ms": result.durationMs.toFixed(3),
      "x-helios-leaks": String(result.leakedBlocks),
    },
  });
});

async function invokeInRegion(env: Env, region: string, name: string, payload: ArrayBuffer, authorized: boolean): Promise<InvokeResult> {
  const client = regionClient(env, region);
  try {
    return await client.invokeByName(name, payload, { authorized });
  } catch (error) {
    if ((error as { code?: unknown }).code !== "not_deployed_in_region") throw error;
    // Cold path: tell "deployed elsewhere" from "not deployed at all", and repair a region that missed
    // its activation (e.g. its storage was reset) when the registry says it should serve the function.
    const details = await registryStub(env).getFunction(name);
    if (details === null) throw new UnknownFunctionError(name);
    if (!details.current.regions.includes(region)) throw error;
    await client.activate(details.current);
    return await client.invokeByName(name, payload, { authorized });
  }
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer, byteOffset, byteLength } = bytes;
  if (byteOffset === 0 && byteLength === buffer.byteLength && buffer instanceof ArrayBuffer) return buffer;
  return bytes.slice().buffer as ArrayBuffer;
}
