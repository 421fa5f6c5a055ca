// What a sandbox isolate is started with (fixed for its life, part of its cache key) and what each call chooses.

import type { CapabilityProfile } from "./capabilities.ts";
import type { HttpRequestInfo } from "./http-exchange.ts";

/** Fixed for the life of a sandbox isolate: part of the isolate's cache key. */
export interface SandboxSettings {
  functionName: string;
  region: string;
  profile: CapabilityProfile;
  maxMemoryPages: number;
  config: Record<string, string>;
  /**
   * The function's secrets, opened by the parent (the region object) for this isolate and held only in its memory.
   * Read through heliosdb_config_get like config (deploys keep the two name sets apart). Never part of the cache key
   * in plain text: the parent keys the isolate by a digest of the ciphertexts instead. Absent means none.
   */
  secrets?: Record<string, string>;
  /** Hosts heliosdb_http_fetch may reach (the parent's gateway checks them again). Empty without `network`. */
  allowedHosts: string[];
}

/** Chosen per call, so a caller (or an edge_invoke chain) can hand down less than the function's own limits. */
export interface InvocationRequest {
  fuel: number;
  maxResponseBytes: number;
  /** The HTTP request the guest may read (version-2 host calls, WASI's CGI environment); absent: DEFAULT_HTTP_REQUEST. */
  http?: HttpRequestInfo;
  /**
   * Wall-clock deadline, epoch milliseconds, that every host call checks (charges included); past it the
   * invocation ends with invocation_deadline_exceeded. Absent: none (unit tests, benchmarks).
   */
  deadline?: number;
}
