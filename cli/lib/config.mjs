// Where the CLI finds the server and its token: --url/--token flags, then HELIOS_URL/HELIOS_TOKEN, then the file
// `helios login` writes ($XDG_CONFIG_HOME/helios/config.json, by default ~/.config/helios/config.json; HELIOS_CONFIG
// names another file). The file holds a secret, so it is written 0600 in a 0700 directory, replaced atomically.

import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { UsageError } from "./errors.mjs";

export const DEFAULT_URL = "http://127.0.0.1:8787";

/** @param {NodeJS.ProcessEnv} env */
export function configPath(env = process.env) {
  if (env.HELIOS_CONFIG) return env.HELIOS_CONFIG;
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "helios", "config.json");
}

/** @typedef {{ url?: string, token?: string }} SavedLogin */

/** The saved login, or {} when there is none. @param {string} path @returns {SavedLogin} */
export function readConfig(path) {
  if (!existsSync(path)) return {};
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${path} is not valid JSON (${/** @type {Error} */ (error).message}); fix it or run \`helios login\` again`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError(`${path} must hold a JSON object`);
  const saved = {};
  for (const key of ["url", "token"]) {
    if (parsed[key] === undefined) continue;
    if (typeof parsed[key] !== "string") throw new UsageError(`${path}: "${key}" must be a string`);
    saved[key] = parsed[key];
  }
  return saved;
}

/** @param {string} path @param {SavedLogin} login */
export function writeConfig(path, login) {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600); // the mode above is subject to the umask; a token file must not be group-readable
  renameSync(temporary, path);
}

/** @param {string} path */
export function removeConfig(path) {
  rmSync(path, { force: true });
}

/** "http://host:8787/" -> "http://host:8787"; anything but http(s) is a usage error. @param {string} raw */
export function normalizeUrl(raw) {
  let url;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(raw)} (e.g. https://helios.example.com or http://127.0.0.1:8787)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new UsageError(`the URL must be http or https, got ${url.protocol}`);
  if (url.search || url.hash) throw new UsageError("the URL must not have a query or fragment");
  return url.href.replace(/\/+$/, "");
}

/**
 * The server and token a command uses, and where each came from (flag > environment > saved login > default).
 * @param {{ url?: string, token?: string }} flags @param {NodeJS.ProcessEnv} env @param {SavedLogin} saved
 */
export function resolveTarget(flags, env, saved) {
  const pick = (flag, envValue, savedValue) =>
    flag !== undefined ? [flag, "flag"] : envValue ? [envValue, "env"] : savedValue !== undefined ? [savedValue, "config"] : [undefined, "none"];
  const [url, urlSource] = pick(flags.url, env.HELIOS_URL, saved.url);
  const [token, tokenSource] = pick(flags.token, env.HELIOS_TOKEN, saved.token);
  return {
    url: normalizeUrl(url ?? DEFAULT_URL),
    urlSource: url === undefined ? "default" : urlSource,
    token: token === "" ? undefined : token,
    tokenSource,
  };
}
