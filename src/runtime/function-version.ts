// The immutable record of one deployed version of a function, and what one invocation of it reports.

import type { CapabilityProfile } from "../sandbox/index.ts";
import type { HttpResponseHead, LogEntry } from "../sandbox/index.ts";
import type { FunctionLimits } from "./limits.ts";

/** Written once at deploy and never changed; a redeploy with other bytes or settings creates a new version with a higher
 *  number (identical bytes and settings reuse the existing one). Which version runs is a deployment's business
 *  (deployment.ts), not this record's. */
export interface FunctionVersion {
  name: string;
  /** Monotonic per name, also across deletes, so a number never names two different versions. */
  version: number;
  /** sha256 (hex) of the module as uploaded. */
  sha256: string;
  /** sha256 (hex) of the instrumented module the sandbox runs (it depends on limits.maxMemoryPages). */
  instrumentedSha256: string;
  /** R2 key of the instrumented bytes. */
  moduleKey: string;
  regions: string[];
  profile: CapabilityProfile;
  limits: FunctionLimits;
  config: Record<string, string>;
  /** Hosts heliosdb_http_fetch may reach (`host` or `host:port`, lower case); only with the `network` capability.
   *  Absent in versions stored before the field existed, which means none. */
  allowedHosts?: string[];
  /** The database the function reaches (profiles `database_read` / `database`), in the region it runs in. Absent
   *  for functions without a database and in versions stored before the field existed. */
  database?: string;
  private: boolean;
  /** A label the deployer chose (like wrangler's version tags); part of the settings. `npm start` tags its examples. */
  tag?: string;
  deployedAt: string;
}

export interface InvokeResult {
  output: Uint8Array;
  fuelUsed: number;
  memoryPages: number;
  durationMs: number;
  region: string;
  sha256: string;
  version: number;
  /** Sequence number of the deployment that routed the invocation (absent for calls outside any deployment). */
  deployment?: number;
  logs: LogEntry[];
  /** Host-made blocks the guest never freed (and their bytes): reported, not an error. */
  leakedBlocks: number;
  leakedBytes: number;
  /** The status and headers the guest set (version 2, WASI); absent when it set none (every version-1 guest). */
  response?: HttpResponseHead;
  /** Sandboxes this invocation started, its own and its edge callees' (runtime/call-tree.ts). */
  sandboxRuns: number;
  /** Host calls the guest made, by function name. */
  hostCalls: Record<string, number>;
  /** The invocation's request id (x-helios-request-id), shared by its whole call chain. */
  requestId: string;
}
