// Following the parent's bridge handoffs (host-bridge.ts, BridgeHandoff) and releasing what they leave behind.
//
// A bridge handed over in an outcome (`next`) arrives as an RPC stub inside a call's *result*, and such a stub is the
// receiver's to dispose: workerd disposes the stubs an incoming call received as parameters when that call completes
// (the invocation's first bridge), but a stub in a result lives until it is disposed or garbage-collected, and a
// collected live stub is a leak it warns about ("An RPC stub was not disposed properly", src/workerd/api/
// worker-rpc.c++, JsRpcStub::~JsRpcStub). Every bridge is called at most once (database-host-bridge.ts says why), so
// the one a handoff replaces is done with, and the last one is done with when the invocation ends.

import type { BridgeHandoff, HostBridge } from "./host-bridge.ts";
import type { HostContext } from "./host-call.ts";

/** Switches the invocation to the bridge `outcome` hands over, if any, disposing the one it replaces. */
export function takeHandoff(context: HostContext, outcome: BridgeHandoff): void {
  if (outcome.next === undefined) return;
  const replaced = context.bridge;
  context.bridge = outcome.next;
  if (replaced !== null && replaced !== context.initialBridge) dispose(replaced);
}

/** At the end of an invocation: disposes the bridge a handoff left it holding (the first one is the call's own). */
export function releaseHandedOffBridge(context: HostContext): void {
  const current = context.bridge;
  if (current !== null && current !== context.initialBridge) dispose(current);
  context.bridge = null;
}

function dispose(bridge: HostBridge): void {
  (bridge as Partial<Disposable>)[Symbol.dispose]?.();
}
