// RPC results from region objects turned back into thrown errors: this layer's own failures rebuilt here (the
// runtime layer cannot know them), every other code through the runtime's catalogue.

import { errorFromSerialized } from "../runtime/index.ts";
import { ModuleDigestMismatchError, ModuleMissingError } from "./errors.ts";
import type { RpcResult } from "./invocation-runner.ts";

export function unwrapRpc<T>(result: RpcResult<T>): T {
  if (result.ok) return result.value;
  const { code, details } = result.error;
  if (code === "module_missing") throw new ModuleMissingError(String(details.key));
  if (code === "module_digest_mismatch") {
    throw new ModuleDigestMismatchError(String(details.key), String(details.expected), String(details.actual));
  }
  throw errorFromSerialized(result.error);
}
