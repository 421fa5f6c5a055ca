// Capability profiles: which host functions a function may import. A deploy names one or more profiles; each
// profile includes the profiles it builds on, and a list of profiles grants the union of what each grants.

/** Declaration order is the order profiles are listed and suggested in (from least to most reach). */
export const CAPABILITY_PROFILE_NAMES = ["minimal", "compute", "network", "invoke", "database_read", "database"] as const;
export type CapabilityProfileName = (typeof CAPABILITY_PROFILE_NAMES)[number];
/** What a deploy declares, e.g. ["minimal"] or ["network", "invoke"]. */
export type CapabilityProfile = string[];

/**
 * The profiles each profile includes. `database_read` and `database` are reserved for the database host functions
 * of a later release: today they grant exactly what `compute` grants.
 */
export const PROFILE_INCLUDES: Readonly<Record<CapabilityProfileName, readonly CapabilityProfileName[]>> = {
  minimal: [],
  compute: ["minimal"],
  network: ["compute"],
  invoke: ["compute"],
  database_read: ["compute"],
  database: ["database_read"],
};

export function isCapabilityProfileName(name: string): name is CapabilityProfileName {
  return (CAPABILITY_PROFILE_NAMES as readonly string[]).includes(name);
}

/** Every profile a declared profile amounts to, included ones too. Unknown names grant nothing. */
export function expandProfile(profile: CapabilityProfile): Set<CapabilityProfileName> {
  const granted = new Set<CapabilityProfileName>();
  const pending = profile.filter(isCapabilityProfileName);
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (granted.has(name)) continue;
    granted.add(name);
    pending.push(...PROFILE_INCLUDES[name]);
  }
  return granted;
}
