// Errors raised by the binary toolkit. Every class carries a stable `code`;
// decoding errors also carry the byte offset where the input went wrong.

import type { CodeOfLayer } from "../errors/index.ts";

/** Codes of this layer: their statuses and fields are listed in the error catalogue (src/errors/catalogue.ts). */
export type WasmErrorCode = CodeOfLayer<"wasm">;

export abstract class WasmError extends Error {
  abstract readonly code: WasmErrorCode;
}

/** The bytes are not a well-formed WebAssembly binary. */
export class MalformedModuleError extends WasmError {
  readonly code = "malformed_module" as const;
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = "MalformedModuleError";
  }
}

/** Well-formed, but uses a proposal the runtime does not run (memory64, threads, GC, ...). */
export class UnsupportedFeatureError extends WasmError {
  readonly code = "unsupported_feature" as const;
  constructor(
    readonly feature: string,
    readonly offset: number,
  ) {
    super(`unsupported WebAssembly feature: ${feature} (at byte ${offset})`);
    this.name = "UnsupportedFeatureError";
  }
}

export interface PolicyViolation {
  /** Stable machine-readable rule name, e.g. "memory_pages" or "import_not_allowed". */
  rule: string;
  message: string;
}

/** The module is valid WebAssembly but breaks a limit or rule set by the caller. */
export class PolicyViolationError extends WasmError {
  readonly code = "policy_violation" as const;
  constructor(readonly violations: PolicyViolation[]) {
    super(violations.map((v) => v.message).join("; "));
    this.name = "PolicyViolationError";
  }
}

/** A metered call used up its fuel budget. The sandbox reports it to callers as `out_of_fuel`; the toolkit's
 *  own code differs so that no two classes share one. */
export class OutOfFuelError extends WasmError {
  readonly code = "fuel_exhausted" as const;
  constructor(readonly budget: bigint) {
    super(`out of fuel: the call used its whole budget of ${budget}`);
    this.name = "OutOfFuelError";
  }
}
