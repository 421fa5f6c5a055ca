// What the API shows of a stored version: everything but storage internals, plus the names (only) of the function's
// secrets, which live apart from its versions.

import type { FunctionVersion } from "../runtime/index.ts";

export type FunctionView = Omit<FunctionVersion, "moduleKey"> & { secrets: string[] };

export function functionView(version: FunctionVersion, secretNames: readonly string[]): FunctionView {
  const { moduleKey: _moduleKey, ...view } = version;
  return { ...view, secrets: [...secretNames] };
}
