// Function secrets as the API sees them: set (through their own endpoint or a deploy's manifest), listed by name,
// deleted. Values are sealed here (src/runtime/secret-box.ts) before they reach the registry and are never returned;
// the region objects open them for the guest (src/regions/secret-cache.ts).

import type { Env } from "../env.ts";
import { regionClient } from "../regions/index.ts";
import { registryStub, type SecretInfo } from "../registry/index.ts";
import { sealSecret, secretsKey, UnknownFunctionError, type FunctionVersion, type SealedSecret } from "../runtime/index.ts";
import { SecretConflictsWithConfigError, SecretsNotPropagatedError, TooManySecretsError, UnknownSecretError } from "./errors.ts";

import { MAX_SECRETS } from "./secret-limits.ts";

export { MAX_SECRET_VALUE_CHARS, MAX_SECRETS, SECRET_NAME } from "./secret-limits.ts";

export async function listSecrets(env: Env, name: string): Promise<SecretInfo[]> {
  const registry = registryStub(env);
  const [details, secrets] = await Promise.all([registry.getFunction(name), registry.secretInfo(name)]);
  if (details === null) throw new UnknownFunctionError(name);
  return secrets;
}

/** Sets one secret of a deployed function; `created` is false when it replaced a value. */
export async function setSecret(env: Env, name: string, secret: string, value: string): Promise<{ created: boolean; secret: SecretInfo }> {
  const registry = registryStub(env);
  const [details, existing] = await Promise.all([registry.getFunction(name), registry.secretInfo(name)]);
  if (details === null) throw new UnknownFunctionError(name);
  if (Object.hasOwn(details.current.config, secret)) throw new SecretConflictsWithConfigError(name, secret);
  const created = !existing.some((info) => info.name === secret);
  assertSecretCount(name, existing.length + (created ? 1 : 0));
  const sealed = await sealSecret(await secretsKey(env.HELIOS_SECRETS_KEY), name, secret, value);
  await registry.putSecrets(name, [sealed]);
  await propagate(env, details.current);
  const stored = (await registry.secretInfo(name)).find((info) => info.name === secret);
  return { created, secret: stored ?? { name: secret, updatedAt: new Date().toISOString() } };
}

export async function deleteSecret(env: Env, name: string, secret: string): Promise<void> {
  const registry = registryStub(env);
  const details = await registry.getFunction(name);
  if (details === null) throw new UnknownFunctionError(name);
  if (!(await registry.deleteSecret(name, secret))) throw new UnknownSecretError(name, secret);
  await propagate(env, details.current);
}

/** The secrets a deploy carries, sealed and checked against the new config and the secrets already set; the caller
 *  stores them (storeDeploySecrets) only once every other check of the deploy has passed. */
export interface DeploySecrets {
  sealed: SealedSecret[];
  /** Every secret name the function has once the deploy is stored. */
  names: string[];
}

export async function prepareDeploySecrets(
  env: Env,
  name: string,
  secrets: Record<string, string>,
  config: Record<string, string>,
): Promise<DeploySecrets> {
  const existing = (await registryStub(env).secretInfo(name)).map((info) => info.name);
  const names = [...new Set([...existing, ...Object.keys(secrets)])].sort();
  for (const key of names) if (Object.hasOwn(config, key)) throw new SecretConflictsWithConfigError(name, key);
  assertSecretCount(name, names.length);
  const entries = Object.entries(secrets);
  if (entries.length === 0) return { sealed: [], names };
  const key = await secretsKey(env.HELIOS_SECRETS_KEY);
  const sealed = await Promise.all(entries.map(([secret, value]) => sealSecret(key, name, secret, value)));
  return { sealed, names };
}

/** Stores a deploy's secrets before its version is committed, so the activation that follows finds them. */
export async function storeDeploySecrets(env: Env, name: string, secrets: DeploySecrets): Promise<void> {
  if (secrets.sealed.length > 0) await registryStub(env).putSecrets(name, secrets.sealed);
}

/** Secret names per function (names only, never values). */
export function secretNamesByFunction(env: Env): Promise<Record<string, string[]>> {
  return registryStub(env).secretNames();
}

function assertSecretCount(name: string, count: number): void {
  if (count > MAX_SECRETS) throw new TooManySecretsError(name, MAX_SECRETS);
}

/** Every region serving the function drops the secrets it holds; the next invocation there fetches the new set. */
async function propagate(env: Env, current: FunctionVersion): Promise<void> {
  const results = await Promise.allSettled(current.regions.map((region) => regionClient(env, region).secretsChanged(current.name)));
  const failed = current.regions.filter((_, i) => results[i].status === "rejected");
  if (failed.length > 0) throw new SecretsNotPropagatedError(current.name, failed);
}
