// Deploy-time view of capability profiles, derived from the host-module registry: which imports a profile allows
// (fed to the toolkit's policy check, in any import module), and naming the capability a module lacks when it
// imports a host function its profile does not grant.

import { type CapabilityProfile, capabilityFor, expandProfile, HOST_FUNCTIONS, hostFunctionsGrantedBy, importKey } from "../sandbox/index.ts";
import type { ModuleInfo, ModulePolicy, PolicyViolation } from "../wasm/index.ts";

export function allowedImportsFor(profile: CapabilityProfile): ModulePolicy["allowedImports"] {
  return hostFunctionsGrantedBy(profile).map((fn) => ({ module: fn.module, name: fn.name, type: fn.type }));
}

/** The profile that would grant an import, or null if no profile does: for naming what a rejected module lacks. */
export function profileGranting(module: string, name: string): string | null {
  return capabilityFor(module, name);
}

/** A rejected import of a real host function, with the capability that would grant it. */
export interface CapabilityViolation extends PolicyViolation {
  rule: "capability_missing";
  capability: string;
  /** "module.name" as imported. */
  import: string;
}

/**
 * One violation per host-function import the profile does not grant, naming the capability to add. Imports no
 * profile grants are left to the policy check (`import_not_allowed`).
 */
export function checkCapabilities(info: ModuleInfo, profile: CapabilityProfile): CapabilityViolation[] {
  const granted = expandProfile(profile);
  const declared = profile.length > 0 ? profile.join(", ") : "none";
  const violations: CapabilityViolation[] = [];
  for (const imp of info.imports) {
    const capability = imp.kind === "func" ? profileGranting(imp.module, imp.name) : null;
    if (capability === null || granted.has(capability as never)) continue;
    violations.push({
      rule: "capability_missing",
      capability,
      import: importKey(imp.module, imp.name),
      message: `import ${imp.module}.${imp.name} needs the "${capability}" capability, which the profile (${declared}) does not grant`,
    });
  }
  return violations;
}

/**
 * The allowed imports for the policy check, plus the host functions a capability violation already reported: their
 * signatures are still checked, but they are not reported a second time as `import_not_allowed`.
 */
export function allowedImportsWithReported(profile: CapabilityProfile, reported: CapabilityViolation[]): ModulePolicy["allowedImports"] {
  const names = new Set(reported.map((v) => v.import));
  const extra = HOST_FUNCTIONS.filter((fn) => names.has(importKey(fn.module, fn.name))).map((fn) => ({
    module: fn.module,
    name: fn.name,
    type: fn.type,
  }));
  return [...allowedImportsFor(profile), ...extra];
}
