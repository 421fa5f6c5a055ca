// Deploy-time view of capability profiles: which imports a profile allows (fed to the toolkit's policy check).

import type { ModulePolicy } from "../wasm/index.ts";
import { type CapabilityProfile, HOST_FUNCTIONS, HOST_MODULE, hostFunctionsGrantedBy } from "../sandbox/index.ts";

export function allowedImportsFor(profile: CapabilityProfile): ModulePolicy["allowedImports"] {
  return hostFunctionsGrantedBy(profile).map((fn) => ({ module: HOST_MODULE, name: fn.name, type: fn.type }));
}

/** The profile that would grant an import, or null if no profile does: for naming what a rejected module lacks. */
export function profileGranting(module: string, name: string): string | null {
  if (module !== HOST_MODULE) return null;
  return HOST_FUNCTIONS.find((fn) => fn.name === name)?.grantedBy ?? null;
}
