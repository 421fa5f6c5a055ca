// Access to the one registry object. A single instance is what makes the metadata strongly consistent.

import type { Env } from "../env.ts";
import type { RegistryObject } from "./registry-object.ts";

export const REGISTRY_OBJECT_NAME = "global";

export function registryStub(env: Env): DurableObjectStub<RegistryObject> {
  return env.REGISTRY.get(env.REGISTRY.idFromName(REGISTRY_OBJECT_NAME));
}
