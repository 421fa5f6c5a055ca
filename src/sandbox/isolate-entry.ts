// Entry module of the sandbox isolate (bundled by scripts/build-sandbox.mjs). The Worker Loader gives the isolate
// two modules: this one as "sandbox.js" and the instrumented guest as "guest.wasm", compiled once per isolate.
//
// A WorkerEntrypoint class, constructed by workerd for every call. A plain object's methods can be called over RPC
// too, and are not constructed per call, but tried here its code never left V8's interpreter in the pinned workerd
// (callgrind: about 50,000 instructions of interpreted bytecode per invocation, where the class's methods run
// compiled), which cost more than the construction it saves.

import { WorkerEntrypoint } from "cloudflare:workers";
import guestModule from "./guest.wasm";
import { invokeGuest } from "./invocation.ts";
import { callRequest, type SandboxCall, toWire, type WireOutcome } from "./sandbox-call.ts";
import type { SandboxSettings } from "./sandbox-settings.ts";

export interface SandboxEnv {
  SETTINGS: SandboxSettings;
}

export default class SandboxEntrypoint extends WorkerEntrypoint<SandboxEnv> {
  /** Does nothing: calling it makes the loader start the isolate, which compiles the guest module. */
  warm(): true {
    return true;
  }

  /**
   * One invocation (sandbox-call.ts). The call's bridge is the parent's per-invocation RPC target (an RpcTarget
   * stub here) for async host calls; null when the profile links none. It carries the call chain, so nothing in this
   * isolate can forge it. Answers a value, not a promise, when the guest ran to completion on this stack (its
   * profile links nothing that suspends it): workerd then serializes the result at once, without awaiting it.
   */
  invoke(call: SandboxCall): WireOutcome | Promise<WireOutcome> {
    const outcome = invokeGuest(guestModule, new Uint8Array(call[0]), callRequest(call), this.env.SETTINGS, call[5]);
    return outcome instanceof Promise ? outcome.then(toWire) : toWire(outcome);
  }
}
