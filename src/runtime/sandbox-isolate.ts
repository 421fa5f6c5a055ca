// Parent side of the sandbox: the code handed to the Worker Loader, the isolate key, and one call into it.

import { fromWire, type HostBridge, type WireOutcome, importsReadRequestHead, type InvocationOutcome, type InvocationRequest, sandboxCall, type SandboxSettings } from "../sandbox/index.ts";
import { functionImports } from "../wasm/module-imports.ts";
import type SandboxEntrypoint from "../sandbox/isolate-entry.ts";
import { sha256Hex } from "./digest.ts";
import { SandboxInternalError } from "./errors.ts";
import { SANDBOX_CODE, SANDBOX_CODE_SHA256, SANDBOX_GUEST_MODULE, SANDBOX_MAIN_MODULE } from "./generated/sandbox-bundle.ts";

/** Same date as wrangler.toml: the guest isolate sees the platform exactly as the parent does. */
export const SANDBOX_COMPATIBILITY_DATE = "2026-04-26";

export type SandboxEntry = Fetcher<SandboxEntrypoint>;

/**
 * Isolate cache key: the instrumented module's digest plus a digest of every setting baked into the isolate and of
 * the sandbox code itself. Equal keys must mean byte-identical isolate code, because the loader may reuse any
 * isolate it still holds under that key.
 *
 * Secrets are the exception: their plain text never enters the key (a truncated SHA-256 of a guessable value can be
 * brute-forced, and keys may show up in the platform's diagnostics). `secretsFingerprint` stands for them: a digest
 * of their ciphertexts (secretsFingerprint in secret-box.ts), which changes whenever any secret is set, since every
 * set draws a fresh IV.
 */
export async function sandboxIsolateKey(instrumentedSha256: string, settings: SandboxSettings, secretsFingerprint = ""): Promise<string> {
  const canonical = JSON.stringify([
    SANDBOX_CODE_SHA256,
    settings.functionName,
    settings.region,
    [...settings.profile].sort(),
    settings.maxMemoryPages,
    Object.entries(settings.config).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    [...settings.allowedHosts].sort(),
    secretsFingerprint,
  ]);
  return `${instrumentedSha256}.${(await sha256Hex(new TextEncoder().encode(canonical))).slice(0, 32)}`;
}

/** Everything the loader needs to start a sandbox isolate for one guest. */
export function sandboxWorkerCode(settings: SandboxSettings, guestWasm: ArrayBuffer): WorkerLoaderWorkerCode {
  return {
    compatibilityDate: SANDBOX_COMPATIBILITY_DATE,
    mainModule: SANDBOX_MAIN_MODULE,
    modules: {
      [SANDBOX_MAIN_MODULE]: SANDBOX_CODE,
      [SANDBOX_GUEST_MODULE]: { wasm: guestWasm },
    },
    // No network: the guest reaches the outside only through host functions its profile grants.
    globalOutbound: null,
    env: { SETTINGS: settings },
  };
}

/**
 * The loader calls `loadModule` only when it has no warm isolate for the key.
 *
 * Isolates are named by `key`, and what that costs locally is known and not yet fixed (docs/limits.md, "Sandbox
 * isolates"): workerd keeps every named isolate in its Worker Loader namespace's map (server.c++,
 * WorkerLoaderNamespace::isolates, a `kj::HashMap<kj::String, kj::Rc<WorkerStubImpl>>`) and removes an entry only
 * when the isolate aborts (abortIsolate) or the server shuts down, so the isolate of every version ever invoked
 * stays (about 7 MiB each, scripts/bench-isolates.mjs). Unnamed isolates (`get(null, ...)`) are owned by their
 * JavaScript stub alone and would go with it, but in the pinned workerd (1.20260426) collecting the last stub of one
 * can abort the whole process (tearing the child isolate down inside the parent's cppgc finalizer; fixed upstream
 * on 2026-06-02, "defer dynamic WorkerService destruction until next turn of the event loop", with the regression
 * test api/tests/worker-loader-gc-test.js). Tried here: the local server died mid-request in 3 of 5 runs of 150-300
 * deploys. abortIsolate() from inside the sandbox would remove the name, but destroys the isolate from inside its
 * own request on that version too. So named isolates stay until the stack can be upgraded.
 */
export function loadSandbox(
  loader: WorkerLoader,
  key: string,
  settings: SandboxSettings,
  loadModule: () => Promise<ArrayBuffer>,
): SandboxEntry {
  const stub = loader.get(key, async () => sandboxWorkerCode(settings, await loadModule()));
  return stub.getEntrypoint<SandboxEntrypoint>();
}

/**
 * Whether a guest module can read the HTTP request head (it imports a function that reads it), from its bytes:
 * only then does an invocation send the head along (InvocationRequest.http). Bytes that cannot be read as a module
 * count as reading it.
 */
export function readsRequestHead(moduleBytes: ArrayBuffer): boolean {
  try {
    return importsReadRequestHead(functionImports(new Uint8Array(moduleBytes)));
  } catch {
    return true;
  }
}

/**
 * One invocation. Guest failures come back inside the outcome; only a broken sandbox throws. `bridge` (an RpcTarget,
 * passed by reference over RPC) serves the guest's async host calls; null when its profile has none.
 */
export function invokeSandbox(
  entry: SandboxEntry,
  payload: ArrayBuffer,
  request: InvocationRequest,
  bridge: (HostBridge & Rpc.RpcTargetBranded) | null = null,
): Promise<InvocationOutcome> {
  // The RPC's own promise, continued directly: awaiting it would add a thenable job and this function's promise.
  let answer: Promise<unknown>;
  try {
    answer = entry.invoke(sandboxCall(payload, request, bridge));
  } catch (error) {
    return Promise.reject(sandboxFailure(error));
  }
  return answer.then(
    (wire) => fromWire(wire as WireOutcome),
    (error: unknown) => {
      throw sandboxFailure(error);
    },
  );
}

function sandboxFailure(error: unknown): SandboxInternalError {
  return new SandboxInternalError(error instanceof Error ? error.message : String(error));
}
