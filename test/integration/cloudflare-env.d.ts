// Types for the Workers tests: the "cloudflare:test" module, and `env` from "cloudflare:workers" as the Worker's Env.
/// <reference types="@cloudflare/vitest-pool-workers/types" />
type HeliosEnv = import("../../src/env.ts").Env;
declare namespace Cloudflare {
  interface Env extends HeliosEnv {}
}
