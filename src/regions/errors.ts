// Failures of the region layer's own state (the module store behind the region object's cache).

import type { CodeOfLayer } from "../errors/index.ts";

export type RegionErrorCode = CodeOfLayer<"regions">;

export abstract class RegionError extends Error {
  abstract readonly code: RegionErrorCode;
}

/** An active version names a module object the store does not have. */
export class ModuleMissingError extends RegionError {
  readonly code = "module_missing" as const;
  constructor(readonly key: string) {
    super(`module object "${key}" is missing from the module store`);
    this.name = "ModuleMissingError";
  }
}

/** The stored bytes do not hash to the digest the version names: never run them. */
export class ModuleDigestMismatchError extends RegionError {
  readonly code = "module_digest_mismatch" as const;
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`module object "${key}" has sha256 ${actual}, expected ${expected}`);
    this.name = "ModuleDigestMismatchError";
  }
}
