// helios.json: what `helios deploy` sends. It sits next to the module and holds the function's name, the module's
// path (relative to helios.json) and the deploy API's manifest fields (regions, profile, limits, private, config,
// allowedHosts, and any field the API adds later). The CLI checks only what it needs and what it can say more
// clearly than the server; every API field is validated by the server, the one source of truth, whose
// invalid_request names the field. The sha256 is computed here, never written by hand.

import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { UsageError } from "./errors.mjs";

export const MANIFEST_FILE = "helios.json";
const FUNCTION_NAME = /^[a-z0-9-]{1,63}$/;
const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
/** Fields of helios.json that are the CLI's own; every other field goes to the API's manifest. */
const CLI_FIELDS = new Set(["name", "module", "$schema"]);
/** Shapes checked locally, so a typo fails before a (possibly large) upload. */
const FIELD_TYPES = {
  regions: "string[]",
  profile: "string|string[]",
  limits: "object",
  private: "boolean",
  config: "object",
  allowedHosts: "string[]",
  secrets: "object",
  database: "string",
};

/**
 * Finds helios.json from what the user pointed at: nothing (./helios.json), a directory, the manifest itself, or
 * the module (the helios.json beside it, if any).
 * @param {string | undefined} target @param {string} cwd
 * @returns {{ manifestPath: string | null, modulePath: string | null }}
 */
export function locateManifest(target, cwd) {
  const path = resolve(cwd, target ?? ".");
  if (!existsSync(path)) throw new UsageError(`${target ?? path}: no such file or directory`, "deploy");
  if (statSync(path).isDirectory()) {
    const manifestPath = join(path, MANIFEST_FILE);
    if (!existsSync(manifestPath)) throw new UsageError(`no ${MANIFEST_FILE} in ${path}`, "deploy");
    return { manifestPath, modulePath: null };
  }
  if (extname(path) === ".wasm") {
    const beside = join(dirname(path), MANIFEST_FILE);
    return { manifestPath: existsSync(beside) ? beside : null, modulePath: path };
  }
  return { manifestPath: path, modulePath: null };
}

/**
 * Reads and checks helios.json.
 * @param {string} manifestPath
 * @returns {{ name?: string, module?: string, settings: Record<string, unknown> }}
 */
export function readManifestFile(manifestPath) {
  let text;
  try {
    text = readFileSync(manifestPath, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${manifestPath}: ${/** @type {Error} */ (error).message}`, "deploy");
  }
  let parsed;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${manifestPath} is not valid JSON: ${/** @type {Error} */ (error).message}`, "deploy");
  }
  return checkManifest(parsed, manifestPath);
}

/** @param {unknown} parsed @param {string} where */
export function checkManifest(parsed, where) {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new UsageError(`${where} must hold a JSON object`, "deploy");
  const manifest = /** @type {Record<string, unknown>} */ (parsed);
  const problems = [];
  if (manifest.name !== undefined && (typeof manifest.name !== "string" || !FUNCTION_NAME.test(manifest.name))) {
    problems.push(`"name" must be 1-63 characters of a-z, 0-9 and '-'`);
  }
  if (manifest.module !== undefined && (typeof manifest.module !== "string" || manifest.module === "")) {
    problems.push(`"module" must be the path of the .wasm file, relative to ${MANIFEST_FILE}`);
  }
  if (manifest.sha256 !== undefined) problems.push(`"sha256" is computed by helios deploy from the module; remove it`);
  for (const [field, type] of Object.entries(FIELD_TYPES)) {
    if (manifest[field] !== undefined && !hasType(manifest[field], type)) problems.push(`"${field}" must be ${describeType(type)}`);
  }
  if (problems.length > 0) throw new UsageError(`${where}:\n  ${problems.join("\n  ")}`, "deploy");
  /** @type {Record<string, unknown>} */
  const settings = {};
  for (const [key, value] of Object.entries(manifest)) if (!CLI_FIELDS.has(key)) settings[key] = value;
  return { name: /** @type {string | undefined} */ (manifest.name), module: /** @type {string | undefined} */ (manifest.module), settings };
}

function hasType(value, type) {
  return type.split("|").some((t) => {
    if (t === "string[]") return Array.isArray(value) && value.every((v) => typeof v === "string");
    if (t === "object") return typeof value === "object" && value !== null && !Array.isArray(value);
    return typeof value === t;
  });
}

function describeType(type) {
  return type
    .split("|")
    .map((t) => ({ "string[]": "a list of strings", object: "an object", string: "a string", boolean: "true or false" })[t] ?? t)
    .join(" or ");
}

/**
 * Everything `helios deploy` sends, from the command line and helios.json: name, module bytes and hash, the API
 * manifest. Flags win over helios.json.
 * @param {{ target?: string, cwd: string, name?: string, regions?: string[] }} input
 */
export function loadDeployment({ target, cwd, name: nameFlag, regions }) {
  const { manifestPath, modulePath: pointedModule } = locateManifest(target, cwd);
  const manifest = manifestPath ? readManifestFile(manifestPath) : { settings: {} };
  const base = manifestPath ? dirname(manifestPath) : cwd;

  let modulePath = pointedModule;
  if (modulePath === null) {
    if (!manifest.module) throw new UsageError(`${manifestPath}: "module" is missing (the .wasm file to deploy, relative to ${MANIFEST_FILE})`, "deploy");
    modulePath = resolve(base, manifest.module);
  }
  const name = nameFlag ?? manifest.name ?? (manifestPath ? undefined : basename(modulePath, ".wasm"));
  if (name === undefined) throw new UsageError(`no function name: add "name" to ${manifestPath} or pass --name`, "deploy");
  if (!FUNCTION_NAME.test(name)) throw new UsageError(`function name ${JSON.stringify(name)} must be 1-63 characters of a-z, 0-9 and '-'`, "deploy");

  const bytes = readModule(modulePath);
  const settings = { ...manifest.settings };
  if (regions !== undefined) settings.regions = regions;
  return { name, manifestPath, modulePath, bytes, sha256: sha256Hex(bytes), settings };
}

/** @param {string} path */
export function readModule(path) {
  let bytes;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read the module ${path}: ${/** @type {Error} */ (error).message}`, "deploy");
  }
  if (bytes.length < 8 || WASM_MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new UsageError(`${path} is not a WebAssembly binary (no \\0asm header); build it first (helios deploy builds nothing)`, "deploy");
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** @param {Uint8Array} bytes */
export function sha256Hex(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}
