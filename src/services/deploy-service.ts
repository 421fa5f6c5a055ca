// Deploys and routing changes: verify, inspect, policy-check and instrument a module, store it, record the version
// and the deployment that routes to it, and tell the regions. Every check runs before the first write, so a rejected
// module leaves nothing behind. Rollbacks, splits and aliases are deployments too: no upload, just new routing.
// The HTTP layer parses requests into these calls and answers with what they return.

import type { Env } from "../env.ts";
import { isolateInvoker, regionClient } from "../regions/index.ts";
import {
  type ChangeOutcome,
  type DeploymentChange,
  type FunctionVersionDraft,
  instrumentedModuleKey,
  originalModuleKey,
  putContentAddressed,
  registryStub,
} from "../registry/index.ts";
import {
  checkGuestAbi,
  type Deployment,
  type FunctionVersion,
  type Route,
  sha256Hex,
  UnknownAliasError,
  UnknownFunctionError,
  UnknownVersionError,
} from "../runtime/index.ts";
import {
  checkFunctionBodies,
  decodeModule,
  describeModule,
  importMemory,
  instrumentModule,
  MalformedModuleError,
  PolicyViolationError,
} from "../wasm/index.ts";
// Deploys scan function bodies in WebAssembly rather than in cold JavaScript (src/runtime/wasm-scanner.ts).
import "../runtime/wasm-scanner.ts";
import { ActivationFailedError, BadModuleError, HashMismatchError, InstrumentationFailedError, NoPreviousVersionError, TooManyAliasesError } from "./deploy-errors.ts";
import { modulePolicyViolations, STRUCTURAL_LIMITS } from "./module-policy.ts";
import { prepareDeploySecrets, storeDeploySecrets } from "./secret-service.ts";

/** A version's settings as the deployer gives them (validated by the caller): everything the registry and the
 *  instrumenter do not derive. */
export type VersionSettings = Omit<FunctionVersion, "name" | "version" | "instrumentedSha256" | "moduleKey" | "deployedAt">;

export interface DeployOutcome {
  version: FunctionVersion;
  /** False: identical bytes and settings were deployed before, and that version was reused. */
  created: boolean;
  /** The version the default route served before (its primary), or null for a first deploy. */
  previous: FunctionVersion | null;
  /** The function's deployment now; unchanged (same seq as before) when the deploy was a no-op. */
  deployment: Deployment;
  /** False when the function already served exactly this version, 100%, in these regions. */
  deployed: boolean;
  /** Every secret name the function has after the deploy (values are never returned). */
  secretNames: string[];
}

/**
 * Where the deploying Worker isolate runs invocations itself: the region its callers' invocations run in when they
 * name none (the one nearest the deploy's caller). A deploy prepares the new versions there before answering.
 */
export interface DeployPlace {
  warmRegion?: string;
}

/** `secrets` (plain values, sealed here) are the function's, not the version's: they are no part of its settings. */
export async function deployFunction(
  env: Env,
  name: string,
  settings: VersionSettings,
  module: Uint8Array,
  secrets: Record<string, string> = {},
  place: DeployPlace = {},
): Promise<DeployOutcome> {
  const sha256 = await sha256Hex(module);
  if (sha256 !== settings.sha256) throw new HashMismatchError(settings.sha256, sha256);
  // Decoded once for the inspection, the ABI check and the instrumenter. The function bodies are checked where
  // instrumentation scans them; a module refused before that has them checked first, so a malformed body is what
  // a refusal reports whatever else is wrong, as when the inspection checked every body up front.
  const decoded = decode(() => decodeModule(module));
  const refuse = (error: Error): never => {
    decode(() => checkFunctionBodies(module, decoded));
    throw error;
  };
  const info = describeModule(decoded, module.length);
  if (!WebAssembly.validate(module)) refuse(new BadModuleError("the module failed WebAssembly validation"));
  // One refusal lists every problem: policy (imports, capabilities, caps) and guest ABI (exports) together.
  const violations = [...modulePolicyViolations(info, settings), ...checkGuestAbi(decoded)];
  if (violations.length > 0) refuse(new PolicyViolationError(violations));

  const secretPlan = await prepareDeploySecrets(env, name, secrets, settings.config);
  const registry = registryStub(env);
  // A redeploy of identical bytes and settings needs no instrumentation and no upload: the version exists.
  const draftOf = (instrumentedSha256: string): FunctionVersionDraft => ({
    ...settings,
    name,
    instrumentedSha256,
    moduleKey: instrumentedModuleKey(instrumentedSha256),
  });
  const existing = await registry.findIdenticalVersion(draftOf(""));
  let draft: FunctionVersionDraft;
  if (existing !== null) {
    draft = draftOf(existing.instrumentedSha256);
  } else {
    // Both caps hold at run time too: the instrumenter clamps every memory and table maximum, so memory.grow and
    // table.grow past them return -1 as the spec says (a declared table without a maximum could otherwise grow to
    // V8's 10,000,000 elements). The memory then becomes an import, so the sandbox can reuse it zeroed between
    // instances (src/sandbox/memory-pool.ts) instead of mapping a new one per invocation.
    const instrumented = decode(
      () =>
        importMemory(
          instrumentModule(module, { maxMemoryPages: settings.limits.maxMemoryPages, maxTableElements: STRUCTURAL_LIMITS.maxTableElements, decoded }),
        ).bytes,
    );
    if (!WebAssembly.validate(instrumented)) throw new InstrumentationFailedError();
    const instrumentedSha256 = await sha256Hex(instrumented);
    draft = draftOf(instrumentedSha256);
    // Content-addressed writes are idempotent, so a deploy that fails after this point leaves at most
    // unreferenced immutable objects, never a half-written version.
    await Promise.all([
      putContentAddressed(env.MODULES, originalModuleKey(sha256), module, sha256),
      putContentAddressed(env.MODULES, draft.moduleKey, instrumented, instrumentedSha256, { original: sha256 }),
    ]);
  }

  // Stored before the version is committed, so the regions that receive the deployment find them.
  await storeDeploySecrets(env, name, secretPlan);
  const { version, created, previous, change, deployment } = await registry.commitVersion(draft);
  if (change !== null) await pushDeployment(env, change, place);
  else if (secretPlan.sealed.length > 0) await secretsChanged(env, deployment);
  return { version, created, previous, deployment, deployed: change !== null, secretNames: secretPlan.names };
}

/** Back to `version`, or to the version served before the current one. */
export async function rollbackFunction(env: Env, name: string, version?: number): Promise<{ deployment: Deployment; version: FunctionVersion }> {
  const outcome = await registryStub(env).rollback(name, version);
  const change = accepted(name, outcome);
  await pushDeployment(env, change);
  const target = change.bundle.versions.find((v) => v.version === change.bundle.deployment.routes?.default[0].version);
  return { deployment: change.bundle.deployment, version: target! };
}

/** A new default route: one version, or a percentage split between several. */
export async function routeFunction(env: Env, name: string, route: Route, regions?: string[]): Promise<Deployment> {
  const change = accepted(name, await registryStub(env).routeDefault(name, route, regions));
  await pushDeployment(env, change);
  return change.bundle.deployment;
}

/** Points `name@alias` at a version or a split; null removes the alias. */
export async function setAlias(env: Env, name: string, alias: string, route: Route | null): Promise<Deployment> {
  const change = accepted(name, await registryStub(env).routeAlias(name, alias, route));
  await pushDeployment(env, change);
  return change.bundle.deployment;
}

/** Removes the function everywhere it served; returns the version it last served. */
export async function deleteFunction(env: Env, name: string): Promise<{ last: FunctionVersion; deployment: Deployment }> {
  const deleted = await registryStub(env).deleteFunction(name);
  if (deleted === null) throw new UnknownFunctionError(name);
  await pushDeployment(env, deleted.change);
  return { last: deleted.last, deployment: deleted.change.bundle.deployment };
}

export async function describeFunction(env: Env, name: string) {
  const details = await registryStub(env).getFunction(name);
  if (details === null) throw new UnknownFunctionError(name);
  return details;
}

export async function listVersions(env: Env, name: string, limit: number, before?: number): Promise<{ versions: FunctionVersion[]; deployment: Deployment }> {
  const registry = registryStub(env);
  const [versions, current] = await Promise.all([registry.listVersions(name, limit, before), registry.currentDeployment(name)]);
  if (versions === null || current?.deployment.routes == null) throw new UnknownFunctionError(name);
  return { versions, deployment: current.deployment };
}

export async function listDeployments(env: Env, name: string, limit: number): Promise<Deployment[]> {
  const deployments = await registryStub(env).listDeployments(name, limit);
  if (deployments === null) throw new UnknownFunctionError(name);
  return deployments;
}

/**
 * Sends the deployment to every region it serves in and to every region the previous one served in (those stop).
 * Regions apply deployments in sequence order, so concurrent pushes cannot leave an older one in place. A region
 * that does not confirm is repaired later (on its next use, src/regions/region-object.ts); the caller learns of it
 * as activation_failed, with the deployment already recorded.
 *
 * Then, with `place.warmRegion` among the serving regions, this Worker isolate prepares the versions for it
 * (IsolateInvoker.warm): the region objects warm their own sandboxes after answering, and this makes the isolate
 * that processed the deploy, the one its caller's next requests most likely reach, skip the cold path as well.
 */
export async function pushDeployment(env: Env, change: DeploymentChange, place: DeployPlace = {}): Promise<void> {
  const { bundle, previousRegions } = change;
  const serving = bundle.deployment.regions;
  const dropped = previousRegions.filter((region) => !serving.includes(region));
  const regions = [...serving, ...dropped];
  // A region that stops serving needs the deployment's sequence number, not the version records.
  const stopped = { deployment: bundle.deployment, versions: [] };
  const results = await Promise.allSettled(regions.map((region, i) => regionClient(env, region).activate(i < serving.length ? bundle : stopped)));
  const failed = regions.filter((_, i) => results[i].status === "rejected");
  if (failed.length > 0) {
    for (const [i, result] of results.entries()) {
      if (result.status === "rejected") console.error(`deployment ${bundle.deployment.seq} of ${bundle.deployment.name} in ${regions[i]} failed`, result.reason);
    }
    const primary = bundle.deployment.routes?.default[0].version ?? 0;
    throw new ActivationFailedError(bundle.deployment.name, primary, failed);
  }
  if (place.warmRegion !== undefined && serving.includes(place.warmRegion)) await isolateInvoker(env).warm(place.warmRegion, bundle);
}

/** A no-op deploy that carried secrets: the regions serving the function drop the secrets they hold. */
async function secretsChanged(env: Env, deployment: Deployment): Promise<void> {
  const results = await Promise.allSettled(deployment.regions.map((region) => regionClient(env, region).secretsChanged(deployment.name)));
  const failed = deployment.regions.filter((_, i) => results[i].status === "rejected");
  if (failed.length > 0) throw new ActivationFailedError(deployment.name, deployment.routes?.default[0].version ?? 0, failed);
}

function accepted(name: string, outcome: ChangeOutcome): DeploymentChange {
  if (!("refused" in outcome)) return outcome;
  switch (outcome.refused) {
    case "unknown_function":
      throw new UnknownFunctionError(name);
    case "unknown_version":
      throw new UnknownVersionError(name, outcome.version);
    case "unknown_alias":
      throw new UnknownAliasError(name, outcome.alias);
    case "no_previous_version":
      throw new NoPreviousVersionError(name);
    case "too_many_aliases":
      throw new TooManyAliasesError(name, outcome.limit);
  }
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
