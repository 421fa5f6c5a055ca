// Entry module of the sandbox isolate (bundled by scripts/build-sandbox.mjs). The Worker Loader gives the isolate
// two modules: this one as "sandbox.js" and the instrumented guest as "guest.wasm", compiled once per isolate.

import { WorkerEntrypoint } from "cloudflare:workers";
import guestModule from "./guest.wasm";
import type { HostBridge } from "./host-bridge.ts";
import { type InvocationOutcome, runInvocation } from "./invocation.ts";
import type { InvocationRequest, SandboxSettings } from "./sandbox-settings.ts";

export interface SandboxEnv {
  SETTINGS: SandboxSettings;
}

export default class SandboxEntrypoint extends WorkerEntrypoint<SandboxEnv> {
  /** Does nothing: calling it makes the loader start the isolate, which compiles the guest module. */
  warm(): true {
    return true;
  }

  /**
   * `bridge` is the parent's per-invocation RPC target (an RpcTarget stub here) for async host calls; null when the
   * profile links none. It carries the call chain, so nothing in this isolate can forge it.
   */
  invoke(payload: ArrayBuffer, request: InvocationRequest, bridge: HostBridge | null = null): Promise<InvocationOutcome> {
    return runInvocation(guestModule, new Uint8Array(payload), request, this.env.SETTINGS, bridge);
  }
}
