// Entry module of the sandbox isolate (bundled by scripts/build-sandbox.mjs). The Worker Loader gives the isolate
// two modules: this one as "sandbox.js" and the instrumented guest as "guest.wasm", compiled once per isolate.

import { WorkerEntrypoint } from "cloudflare:workers";
import guestModule from "./guest.wasm";
import { type InvocationOutcome, type InvocationRequest, runInvocation, type SandboxSettings } from "./invocation.ts";

export interface SandboxEnv {
  SETTINGS: SandboxSettings;
}

export default class SandboxEntrypoint extends WorkerEntrypoint<SandboxEnv> {
  /** Does nothing: calling it makes the loader start the isolate, which compiles the guest module. */
  warm(): true {
    return true;
  }

  invoke(payload: ArrayBuffer, request: InvocationRequest): InvocationOutcome {
    return runInvocation(guestModule, new Uint8Array(payload), request, this.env.SETTINGS);
  }
}
