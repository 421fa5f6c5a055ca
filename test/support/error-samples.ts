// Builds an instance of any catalogued error class from its catalogue entry alone (the tests of the catalogue and of
// the status mapping share it).

import { ERROR_CATALOGUE, type ErrorCode, type ErrorField, type ErrorSpec } from "../../src/errors/index.ts";
import * as apiErrors from "../../src/api/errors.ts";
import * as regionErrors from "../../src/regions/errors.ts";
import * as runtimeErrors from "../../src/runtime/errors.ts";
import * as sandboxErrors from "../../src/sandbox/errors.ts";
import * as serviceErrors from "../../src/services/errors.ts";
import * as deployErrors from "../../src/services/deploy-errors.ts";
import * as wasmErrors from "../../src/wasm/errors.ts";

type ErrorClass = new (...args: unknown[]) => Error & { code: string };
const ABSTRACT = new Set(["ApiError", "WasmError", "RuntimeError", "InvocationError", "RegionError", "SandboxError", "ServiceError"]);

/** Every concrete error class the layers export, by class name (re-exports collapse to one entry). */
export function exportedClasses(): Map<string, ErrorClass> {
  const classes = new Map<string, ErrorClass>();
  for (const module of [apiErrors, wasmErrors, runtimeErrors, sandboxErrors, regionErrors, serviceErrors, deployErrors] as Record<string, unknown>[]) {
    for (const value of Object.values(module)) {
      if (typeof value !== "function" || !(value.prototype instanceof Error) || ABSTRACT.has(value.name)) continue;
      const seen = classes.get(value.name);
      if (seen !== undefined && seen !== value) throw new Error(`two different classes are named ${value.name}`);
      classes.set(value.name, value as ErrorClass);
    }
  }
  return classes;
}

const SAMPLES: Record<ErrorField["type"], unknown> = {
  string: "sample",
  number: 7,
  bigint: 7n,
  boolean: true,
  "string[]": ["a", "b"],
  "object[]": [],
};

/** An instance of the code's class built from the catalogue entry alone. */
export function sampleError(code: ErrorCode): Error & { code: string } {
  const spec: ErrorSpec = ERROR_CATALOGUE[code];
  const cls = exportedClasses().get(spec.class ?? "");
  if (!cls) throw new Error(`no exported class ${spec.class} for ${code}`);
  return new cls(...spec.args.map((arg) => (arg === "message" ? `sample ${code}` : SAMPLES[spec.fields[arg].type])));
}

