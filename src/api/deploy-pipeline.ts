// Deploy: verify, inspect, policy-check and instrument a module, then store it and switch the function to
// the new version. Every check runs before the first write, so a rejected module leaves nothing behind.

import type { Env } from "../env.ts";
import { regionClient } from "../regions/index.ts";
import { instrumentedModuleKey, originalModuleKey, putContentAddressed, registryStub } from "../registry/index.ts";
import { checkGuestAbi, outboundPolicy, sha256Hex, type FunctionVersion } from "../runtime/index.ts";
import { prepareDeploySecrets, storeDeploySecrets } from "../services/index.ts";
import {
  inspectModule,
  instrumentModule,
  MalformedModuleError,
  PolicyViolationError,
} from "../wasm/index.ts";
import type { DeployInput } from "./deploy-request.ts";
import { ActivationFailedError, BadModuleError, HashMismatchError, InstrumentationFailedError } from "./errors.ts";
import { assertAllowedHosts, parseManifest } from "./manifest.ts";
import { modulePolicyViolations, STRUCTURAL_LIMITS } from "./module-policy.ts";
import { regionConfig } from "./regions.ts";

export interface DeployOutcome {
  version: FunctionVersion;
  previous: FunctionVersion | null;
  /** Every secret name the function has after the deploy (values are never returned). */
  secretNames: string[];
}

export async function deployFunction(env: Env, name: string, input: DeployInput): Promise<DeployOutcome> {
  const manifest = parseManifest(input.manifest, regionConfig(env).regions);
  assertAllowedHosts(manifest.allowedHosts, outboundPolicy(env, input.selfHost === undefined ? [] : [input.selfHost]));
  const module = input.module;

  const sha256 = await sha256Hex(module);
  if (sha256 !== manifest.sha256) throw new HashMismatchError(manifest.sha256, sha256);

  const info = decode(() => inspectModule(module));
  if (!WebAssembly.validate(module)) throw new BadModuleError("the module failed WebAssembly validation");
  // One refusal lists every problem: policy (imports, capabilities, caps) and guest ABI (exports) together.
  const violations = [...modulePolicyViolations(info, manifest), ...checkGuestAbi(module)];
  if (violations.length > 0) throw new PolicyViolationError(violations);

  // Both caps hold at run time too: the instrumenter clamps every memory and table maximum, so memory.grow and
  // table.grow past them return -1 as the spec says (a declared table without a maximum could otherwise grow to
  // V8's 10,000,000 elements).
  const instrumented = decode(() =>
    instrumentModule(module, { maxMemoryPages: manifest.limits.maxMemoryPages, maxTableElements: STRUCTURAL_LIMITS.maxTableElements }),
  );
  if (!WebAssembly.validate(instrumented)) throw new InstrumentationFailedError();
  const instrumentedSha256 = await sha256Hex(instrumented);
  const moduleKey = instrumentedModuleKey(instrumentedSha256);
  const secrets = await prepareDeploySecrets(env, name, manifest.secrets, manifest.config);

  // Content-addressed writes are idempotent, so a deploy that fails after this point leaves at most
  // unreferenced immutable objects, never a half-written version.
  await Promise.all([
    putContentAddressed(env.MODULES, originalModuleKey(sha256), module, sha256),
    putContentAddressed(env.MODULES, moduleKey, instrumented, instrumentedSha256, { original: sha256 }),
  ]);

  await storeDeploySecrets(env, name, secrets);
  const { version, previous } = await registryStub(env).commitVersion({
    name,
    sha256,
    instrumentedSha256,
    moduleKey,
    regions: manifest.regions,
    profile: manifest.profile,
    limits: manifest.limits,
    config: manifest.config,
    allowedHosts: manifest.allowedHosts,
    ...(manifest.database !== undefined ? { database: manifest.database } : {}),
    private: manifest.private,
  });
  await activate(env, version, previous);
  return { version, previous, secretNames: secrets.names };
}

/** Points every target region at the new version (one atomic swap per region object) and withdraws the
 *  function from regions the new version no longer lists. */
export async function activate(env: Env, version: FunctionVersion, previous: FunctionVersion | null): Promise<void> {
  const dropped = (previous?.regions ?? []).filter((region) => !version.regions.includes(region));
  const results = await Promise.allSettled([
    ...version.regions.map((region) => regionClient(env, region).activate(version)),
    ...dropped.map((region) => regionClient(env, region).deactivate(version.name, version.version)),
  ]);
  const regions = [...version.regions, ...dropped];
  const failed = regions.filter((_, i) => results[i].status === "rejected");
  if (failed.length > 0) {
    for (const [i, result] of results.entries()) {
      if (result.status === "rejected") console.error(`activation of ${version.name} v${version.version} in ${regions[i]} failed`, result.reason);
    }
    throw new ActivationFailedError(version.name, version.version, failed);
  }
}

/** Withdraws a deleted function from every region that served it. */
export async function deactivateEverywhere(env: Env, version: FunctionVersion, tombstoneVersion: number): Promise<void> {
  const results = await Promise.allSettled(
    version.regions.map((region) => regionClient(env, region).deactivate(version.name, tombstoneVersion)),
  );
  const failed = version.regions.filter((_, i) => results[i].status === "rejected");
  if (failed.length > 0) throw new ActivationFailedError(version.name, tombstoneVersion, failed);
}

/** The decoder's "malformed" is the API's bad_module (with the byte offset); other errors pass through. */
function decode<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof MalformedModuleError) throw new BadModuleError(error.message, error.offset);
    throw error;
  }
}
