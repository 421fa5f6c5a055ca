// What a deployed module may contain. Structural caps are fixed here (documented in docs/limits.md);
// the memory cap comes from the manifest and the allowed imports from the capability profile.

import { checkPolicy, type ModuleInfo, type ModulePolicy } from "../wasm/index.ts";
import { allowedImportsFor, allowedImportsWithReported, checkCapabilities, type HintedViolation, withHints } from "../runtime/index.ts";
import type { FunctionVersion } from "../runtime/index.ts";

/** The settings the module policy depends on. */
type PolicySettings = Pick<FunctionVersion, "limits" | "profile">;

/** Largest module accepted for deploy, checked before the body is read whole. */
export const MAX_MODULE_BYTES = 4 * 1024 * 1024;

/** Room for the manifest part and multipart framing on top of the module in a multipart deploy. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** Caps well inside V8's own engine limits, so a module that passes them also compiles. */
export const STRUCTURAL_LIMITS = {
  maxFunctions: 50_000,
  maxLocalsPerFunction: 10_000,
  maxTables: 8,
  maxTableElements: 100_000,
  maxDataSegments: 10_000,
  maxGlobals: 10_000,
} as const;

export function modulePolicy(manifest: PolicySettings): ModulePolicy {
  return {
    ...STRUCTURAL_LIMITS,
    maxModuleBytes: MAX_MODULE_BYTES,
    maxMemoryPages: manifest.limits.maxMemoryPages,
    allowedImports: allowedImportsFor(manifest.profile),
  };
}

/**
 * The policy check of a deploy. An import of a host function the profile does not grant is reported once, as
 * `capability_missing` naming the capability to declare; imports no profile grants stay `import_not_allowed`.
 * Every policy problem of a module is returned, with a hint where the cause is recognisable (deploy-hints.ts).
 */
export function modulePolicyViolations(info: ModuleInfo, manifest: PolicySettings): HintedViolation[] {
  const missing = checkCapabilities(info, manifest.profile);
  const policy = { ...modulePolicy(manifest), allowedImports: allowedImportsWithReported(manifest.profile, missing) };
  return withHints([...missing, ...checkPolicy(info, policy)], {
    profile: manifest.profile,
    maxMemoryPages: manifest.limits.maxMemoryPages,
    memoryMinimums: info.memories.map((memory) => memory.min),
  });
}
