// Asynchronous invocation ids: `inv_<region>_<shard>_<32 hex>`. The 128 random bits come from
// crypto.getRandomValues (an id is a bearer of the result of a public function, so it must not be guessable); the
// region and shard name the queue object that holds it, so reading it costs one RPC to that object only.

/** Queue shards per region unless HELIOS_ASYNC_SHARDS says otherwise (docs/limits.md). */
export const DEFAULT_ASYNC_SHARDS = 8;
/** Upper bound of HELIOS_ASYNC_SHARDS. */
export const MAX_ASYNC_SHARDS = 256;

const ID = /^inv_([a-z0-9-]{1,63})_(\d{1,3})_([0-9a-f]{32})$/;

export interface InvocationAddress {
  region: string;
  shard: number;
}

/** The shard count the operator configured (a bad value falls back to the default). */
export function shardCount(configured: string | undefined): number {
  const n = Number(configured);
  return Number.isInteger(n) && n >= 1 && n <= MAX_ASYNC_SHARDS ? n : DEFAULT_ASYNC_SHARDS;
}

/** A new id in a random shard of `region`. */
export function mintInvocationId(region: string, shards: number): { id: string; address: InvocationAddress } {
  const random = new Uint32Array(5);
  crypto.getRandomValues(random);
  const shard = random[4] % shards;
  const hex = Array.from(random.subarray(0, 4), (word) => word.toString(16).padStart(8, "0")).join("");
  return { id: `inv_${region}_${shard}_${hex}`, address: { region, shard } };
}

/** The queue object holding `id`, or null when the id is malformed or names no configured region or shard. */
export function parseInvocationId(id: string, regions: readonly string[], shards: number): InvocationAddress | null {
  const match = ID.exec(id);
  if (match === null) return null;
  const region = match[1];
  const shard = Number(match[2]);
  if (!regions.includes(region) || shard >= shards) return null;
  return { region, shard };
}

/** The queue object's name: `<region>#<shard>`. */
export function queueObjectName(address: InvocationAddress): string {
  return `${address.region}#${address.shard}`;
}
