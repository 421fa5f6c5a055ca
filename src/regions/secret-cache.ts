// A region object's opened secrets, per function: fetched sealed from the registry when a function's sandbox is
// prepared (a cold path: once per function per region object, again after a change), opened here, on the parent
// side, and kept in memory only; the region never writes them to its storage.
//
// Freshness: every change of a function's secrets (the secrets API, a deploy that carries secrets, an activation)
// drops the entry here before it answers, so the next prepare fetches the current set. A change a region did not
// confirm fails the request that made it (secrets_not_propagated), for the caller to retry.

import type { Env } from "../env.ts";
import { registryStub } from "../registry/index.ts";
import { openSecrets, secretsFingerprint, secretsKey } from "../runtime/index.ts";

export interface OpenedSecrets {
  /** Stands for the set in the isolate cache key: a digest of the ciphertexts, "" for none. */
  fingerprint: string;
  values: Record<string, string>;
}

const NONE: OpenedSecrets = { fingerprint: "", values: {} };

export class SecretCache {
  private readonly held = new Map<string, Promise<OpenedSecrets>>();

  constructor(private readonly env: Env) {}

  /** The function's secrets; the same promise until the entry is dropped (callers compare it to detect a change). */
  get(name: string): Promise<OpenedSecrets> {
    let entry = this.held.get(name);
    if (entry === undefined) {
      entry = this.load(name);
      this.held.set(name, entry);
      // A failure (registry unreachable, key missing) is not kept: the next invocation tries again.
      const failed = entry;
      failed.catch(() => {
        if (this.held.get(name) === failed) this.held.delete(name);
      });
    }
    return entry;
  }

  /** Whether `entry` is still what `get` answers for the name. */
  isCurrent(name: string, entry: Promise<OpenedSecrets>): boolean {
    return this.held.get(name) === entry;
  }

  drop(name: string): void {
    this.held.delete(name);
  }

  private async load(name: string): Promise<OpenedSecrets> {
    const sealed = await registryStub(this.env).sealedSecrets(name);
    if (sealed.length === 0) return NONE;
    // The key is needed only by functions that have secrets: a runtime without HELIOS_SECRETS_KEY runs all others.
    const key = await secretsKey(this.env.HELIOS_SECRETS_KEY);
    const [values, fingerprint] = await Promise.all([openSecrets(key, name, sealed), secretsFingerprint(sealed)]);
    return { fingerprint, values };
  }
}
