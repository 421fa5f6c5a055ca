// The sandbox entries a database object runs: its procedures and read-only functions, and the trigger functions of
// its registrations. Module bytes come from R2 through the object's own cache, and are loaded before a transaction
// opens (nothing inside a transaction waits on another object or on R2 for them).

import type { Env } from "../env.ts";
import { ModuleCache } from "../regions/module-cache.ts";
import { type FunctionVersion, loadSandbox, type SandboxEntry, sandboxIsolateKey } from "../runtime/index.ts";
import { type CapabilityProfile, profileNeedsBridge, type SandboxSettings } from "../sandbox/index.ts";

export interface PreparedSandbox {
  entry: SandboxEntry;
  needsBridge: boolean;
  /** When the isolate was last known to be up (performance.now()). */
  warmAt: number;
}

/**
 * An entry used within this long is taken to still have its isolate. Older ones are warmed (one round trip) before
 * use: a transaction must not be where the loader starts an isolate, since starting one calls back into this object
 * for the module bytes.
 */
const WARM_FOR_MS = 10_000;

/** Entries kept per object (one per function version and profile); the oldest is dropped past it. */
const MAX_ENTRIES = 64;

export class FunctionSandboxes {
  private readonly modules: ModuleCache;
  private readonly entries = new Map<string, PreparedSandbox>();

  constructor(private readonly env: Env) {
    this.modules = new ModuleCache(env.MODULES);
  }

  /** The entry running `record` with `profile` (the record's own, or narrower for a trigger) in `region`. */
  async prepare(region: string, record: FunctionVersion, profile: CapabilityProfile = record.profile): Promise<PreparedSandbox> {
    const key = `${region}\u0000${record.name}\u0000${record.version}\u0000${record.instrumentedSha256}\u0000${profile.join(",")}`;
    const existing = this.entries.get(key);
    // The bytes are loaded (and verified) now, also when the entry is cached: the loader may call back for them
    // when it has dropped its isolate, and that must never be the first R2 read.
    await this.modules.get(record.instrumentedSha256, record.moduleKey);
    if (existing !== undefined) {
      if (performance.now() - existing.warmAt > WARM_FOR_MS) await existing.entry.warm();
      existing.warmAt = performance.now();
      return existing;
    }
    const settings: SandboxSettings = {
      functionName: record.name,
      region,
      profile,
      maxMemoryPages: record.limits.maxMemoryPages,
      config: record.config,
      allowedHosts: profile.includes("network") ? (record.allowedHosts ?? []) : [],
    };
    const isolateKey = await sandboxIsolateKey(record.instrumentedSha256, settings);
    const entry = loadSandbox(this.env.LOADER, isolateKey, settings, () => this.modules.get(record.instrumentedSha256, record.moduleKey));
    await entry.warm();
    const prepared = { entry, needsBridge: profileNeedsBridge(profile), warmAt: performance.now() };
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, prepared);
    return prepared;
  }

  /** Forgets an entry whose stub broke, so the next use asks the loader again. */
  forget(prepared: PreparedSandbox): void {
    for (const [key, value] of this.entries) if (value === prepared) this.entries.delete(key);
  }
}
