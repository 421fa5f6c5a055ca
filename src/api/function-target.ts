// What an invocation names: `name`, `name@alias`, and optionally one pinned version; and where it falls on a split.

import { splitPoint } from "../runtime/index.ts";
import { assertAliasName } from "./deployment-request.ts";
import { InvalidRequestError } from "./errors.ts";
import { assertFunctionName } from "./manifest.ts";

export interface FunctionTarget {
  name: string;
  alias?: string;
  version?: number;
  /** In [0, 1): from `x-helios-routing-key` (the same key, the same version of a split), else random. */
  point: number;
}

/** Header that makes a split sticky: invocations with the same key run the same version of a given split. */
export const ROUTING_KEY_HEADER = "x-helios-routing-key";

/** Parses `name[@alias]` and a `version` pin (query parameter or header, as the route allows). */
export function functionTarget(raw: string, version: string | undefined, routingKey: string | undefined): FunctionTarget {
  const at = raw.indexOf("@");
  const name = at === -1 ? raw : raw.slice(0, at);
  assertFunctionName(name);
  const target: FunctionTarget = { name, point: splitPoint(routingKey) };
  if (at !== -1) {
    target.alias = raw.slice(at + 1);
    assertAliasName(target.alias);
  }
  if (version !== undefined) {
    if (!/^[1-9][0-9]{0,14}$/.test(version)) throw InvalidRequestError.of("version", "must be a version number (a positive integer)");
    if (target.alias !== undefined) throw InvalidRequestError.of("version", "pin a version or name an alias, not both");
    target.version = Number(version);
  }
  return target;
}
