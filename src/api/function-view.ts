// What the API shows of a stored version: everything but storage internals.

import type { FunctionVersion } from "../runtime/index.ts";

export type FunctionView = Omit<FunctionVersion, "moduleKey">;

export function functionView(version: FunctionVersion): FunctionView {
  const { moduleKey: _moduleKey, ...view } = version;
  return view;
}
