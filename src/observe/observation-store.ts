// Where a function's observations live: its ObservationObject in a region, named "<function>/<region>" and created
// with the region's location hint, so logs and metrics stay next to the traffic they describe.

import type { Env } from "../env.ts";
import { isLocationHint } from "../regions/region-client.ts";
import type { ObservationObject } from "./observation-object.ts";

export function observationObjectName(functionName: string, region: string): string {
  return `${functionName}/${region}`;
}

export function observationStub(env: Env, functionName: string, region: string): DurableObjectStub<ObservationObject> {
  const id = env.OBSERVATIONS.idFromName(observationObjectName(functionName, region));
  return env.OBSERVATIONS.get(id, isLocationHint(region) ? { locationHint: region } : undefined);
}
