// Capability profiles: which host functions a function may import. A deploy names one or more profiles; each
// profile includes the profiles it builds on, and a list of profiles grants the union of what each grants.

/** Declaration order is the order profiles are listed and suggested in (from least to most reach). */
export const CAPABILITY_PROFILE_NAMES = ["minimal", "compute", "network", "invoke", "database_read", "database", "wasi"] as const;
export type CapabilityProfileName = (typeof CAPABILITY_PROFILE_NAMES)[number];
/** What a deploy declares, e.g. ["minimal"] or ["network", "invoke"]. */
export type CapabilityProfile = string[];

/**
 * The profiles each profile includes. `database_read` adds heliosdb_db_query, `database` adds heliosdb_db_execute
 * (and runs the invocation as one transaction); a function with either names its database at deploy.
 */
export const PROFILE_INCLUDES: Readonly<Record<CapabilityProfileName, readonly CapabilityProfileName[]>> = {
  minimal: [],
  compute: ["minimal"],
  network: ["compute"],
  invoke: ["compute"],
  database_read: ["compute"],
  database: ["database_read"],
  // WASI preview1 only (host-wasi.ts): a WASI module imports nothing else; combine with others (`wasi,compute`).
  wasi: [],
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

/** True when the profile reaches a database (`database_read` or `database`): the function must name one. */
export function profileUsesDatabase(profile: CapabilityProfile): boolean {
  return expandProfile(profile).has("database_read");
}

/** True when the profile writes (`database`): its invocations are procedures, one transaction each. */
export function profileWritesDatabase(profile: CapabilityProfile): boolean {
  return expandProfile(profile).has("database");
}
