// Instrumented module bytes by digest, loaded from R2 once and kept in memory within a byte budget.

import { sha256Hex } from "../runtime/index.ts";
import { ModuleDigestMismatchError, ModuleMissingError } from "./errors.ts";

/** Bytes kept per region object; least recently used modules are dropped past it. */
export const MODULE_CACHE_BYTES = 64 * 1024 * 1024;

export class ModuleCache {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
  private readonly entries = new Map<string, ArrayBuffer>();
  private readonly pending = new Map<string, Promise<ArrayBuffer>>();
  private bytes = 0;

  constructor(
    private readonly bucket: R2Bucket,
    private readonly budgetBytes = MODULE_CACHE_BYTES,
  ) {}

  /** The bytes stored under `key`, verified against `sha256` when first loaded (objects are immutable). */
  async get(sha256: string, key: string): Promise<ArrayBuffer> {
    const cached = this.entries.get(sha256);
    if (cached) {
      this.entries.delete(sha256);
      this.entries.set(sha256, cached);
      return cached;
    }
    let loading = this.pending.get(sha256);
    if (!loading) {
      loading = this.load(sha256, key).finally(() => this.pending.delete(sha256));
      this.pending.set(sha256, loading);
    }
    return loading;
  }

  get size(): number {
    return this.entries.size;
  }

  private async load(sha256: string, key: string): Promise<ArrayBuffer> {
    const object = await this.bucket.get(key);
    if (!object) throw new ModuleMissingError(key);
    const bytes = await object.arrayBuffer();
    const actual = await sha256Hex(bytes);
    if (actual !== sha256) throw new ModuleDigestMismatchError(key, sha256, actual);
    this.entries.set(sha256, bytes);
    this.bytes += bytes.byteLength;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.budgetBytes || oldest === sha256) break;
      this.entries.delete(oldest);
      this.bytes -= value.byteLength;
    }
    return bytes;
  }
}
