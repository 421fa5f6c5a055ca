// Deploys every built example (modules/build/examples/<name>.wasm) to a running Helios Edge over HTTP,
// the way any client would: computes the module's sha256 and PUTs it with the bearer token.
// An optional modules/examples/<name>.manifest.json is sent as the multipart manifest (with the sha256 filled in).
// Each modules/examples/<db>.database.json describes an example database: it is created in every configured region
// with its schema (idempotent statements) before the functions are deployed, and its BEFORE triggers are registered
// after them (a trigger's function must be deployed first).
//
// Never over a user's function: an example is deployed only where no function of its name exists, or where the
// function is still the example (its current version carries the tag "helios-example", which every example
// deploy sets, or has the example's exact bytes). An unchanged example is a no-op (identical bytes and settings
// answer the existing version), so every `npm start` can run this.
//
//   node scripts/deploy-examples.mjs [--url http://127.0.0.1:8787] [--token <token>]   (token default: HELIOS_TOKEN or .dev.vars)

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const EXAMPLES_BUILD_DIR = join(repoRoot, "modules", "build", "examples");
const EXAMPLES_SOURCE_DIR = join(repoRoot, "modules", "examples");

/** Reads HELIOS_TOKEN from a dotenv-style file (.dev.vars). */
export function readTokenFile(path) {
  if (!existsSync(path)) return null;
  const match = /^\s*HELIOS_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(readFileSync(path, "utf8"));
  return match ? match[1].trim() : null;
}

export function sha256Hex(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}

/** The version tag that marks a function as the example (a deploy setting, like wrangler's --tag). */
export const EXAMPLE_TAG = "helios-example";

/** Deploys one module; resolves to the parsed JSON answer, rejects with the server's error on failure. */
export async function deployModule({ baseUrl, token, name, bytes, manifest, tag }) {
  const sha256 = sha256Hex(bytes);
  let init;
  if (manifest) {
    const form = new FormData();
    form.set("manifest", JSON.stringify({ ...manifest, sha256, ...(tag ? { tag } : {}) }));
    form.set("module", new Blob([bytes], { type: "application/wasm" }), `${name}.wasm`);
    init = { body: form, headers: { authorization: `Bearer ${token}` } };
  } else {
    init = {
      body: bytes,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/wasm",
        "x-helios-sha256": sha256,
        ...(tag ? { "x-helios-tag": tag } : {}),
      },
    };
  }
  const response = await fetch(`${baseUrl}/v1/functions/${name}`, { method: "PUT", ...init });
  const body = await response.json();
  if (!response.ok) throw new Error(`deploy ${name}: ${response.status} ${JSON.stringify(body.error)}`);
  return body;
}

export function exampleModules() {
  if (!existsSync(EXAMPLES_BUILD_DIR)) return [];
  return readdirSync(EXAMPLES_BUILD_DIR)
    .filter((file) => file.endsWith(".wasm"))
    .sort()
    .map((file) => {
      const name = file.slice(0, -".wasm".length).toLowerCase().replace(/[^a-z0-9-]/g, "-");
      const manifestPath = join(EXAMPLES_SOURCE_DIR, `${file.slice(0, -".wasm".length)}.manifest.json`);
      return {
        name,
        bytes: readFileSync(join(EXAMPLES_BUILD_DIR, file)),
        manifest: existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, "utf8")) : undefined,
      };
    });
}

/** The function's current version, or null if there is no function of that name. */
export async function currentVersion({ baseUrl, token, name }) {
  const response = await fetch(`${baseUrl}/v1/functions/${name}`, { headers: { authorization: `Bearer ${token}` } });
  const body = await response.json();
  if (response.status === 404 && body.error?.code === "unknown_function") return null;
  if (!response.ok) throw new Error(`GET /v1/functions/${name}: ${response.status} ${JSON.stringify(body.error)}`);
  return body.function;
}

/** Whether the example may be deployed over `current`: nothing there, or the example itself (any build of it). */
export function isStillTheExample(current, bytes) {
  return current === null || current.tag === EXAMPLE_TAG || current.sha256 === sha256Hex(bytes);
}

/** Deploys the examples where allowed; returns the function views of the examples that serve (deployed or kept). */
export function exampleDatabases() {
  if (!existsSync(EXAMPLES_SOURCE_DIR)) return [];
  return readdirSync(EXAMPLES_SOURCE_DIR)
    .filter((file) => file.endsWith(".database.json"))
    .sort()
    .map((file) => JSON.parse(readFileSync(join(EXAMPLES_SOURCE_DIR, file), "utf8")));
}

/** One JSON call of the database API; rejects with the server's error. */
async function databaseCall({ baseUrl, token }, method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer.error)}`);
  return answer;
}

/** The configured regions, from the running server. */
async function configuredRegions(baseUrl) {
  const response = await fetch(`${baseUrl}/v1/regions`);
  const { regions } = await response.json();
  return regions.map((r) => r.name);
}

/** Creates each example database (every region) and runs its schema. */
export async function createExampleDatabases({ baseUrl, token, log = console.log }) {
  const databases = exampleDatabases();
  const regions = databases.length > 0 ? await configuredRegions(baseUrl) : [];
  for (const database of databases) {
    for (const region of regions) {
      const path = `/v1/regions/${region}/databases/${database.name}`;
      await databaseCall({ baseUrl, token }, "PUT", path);
      for (const sql of database.schema) await databaseCall({ baseUrl, token }, "POST", `${path}/sql`, { sql, params: [] });
    }
    log(`created database ${database.name} (${database.schema.length} schema statements) in ${regions.join(", ")}`);
  }
  return { databases, regions };
}

/** Registers each example database's BEFORE triggers (every region). */
export async function registerExampleTriggers({ baseUrl, token, databases, regions, log = console.log }) {
  for (const database of databases) {
    for (const [name, trigger] of Object.entries(database.triggers ?? {})) {
      for (const region of regions) {
        await databaseCall({ baseUrl, token }, "PUT", `/v1/regions/${region}/databases/${database.name}/triggers/${name}`, trigger);
      }
      log(`registered trigger ${name}: ${trigger.timing} ${trigger.events.join("/")} on ${database.name}.${trigger.table} -> ${trigger.function}`);
    }
  }
}

/** Creates the example databases, deploys all examples, registers the triggers; returns the deployed function views. */
export async function deployExamples({ baseUrl, token, log = console.log }) {
  const { databases, regions } = await createExampleDatabases({ baseUrl, token, log });
  const deployed = [];
  for (const example of exampleModules()) {
    const current = await currentVersion({ baseUrl, token, name: example.name });
    if (!isStillTheExample(current, example.bytes)) {
      log(`kept your function ${example.name} v${current.version} (not the example; the example is not deployed over it)`);
      continue;
    }
    const { function: fn, created, deployment } = await deployModule({ baseUrl, token, ...example, tag: EXAMPLE_TAG });
    const what = created === false ? (current?.version === fn.version ? "unchanged" : "redeployed") : "deployed";
    log(`${what} ${fn.name} v${fn.version} (${example.bytes.length} bytes, sha256 ${fn.sha256.slice(0, 12)}…) to ${(deployment?.regions ?? fn.regions).join(", ")}`);
    deployed.push(fn);
  }
  await registerExampleTriggers({ baseUrl, token, databases, regions, log });
  return deployed;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (flag) => {
    const i = process.argv.indexOf(flag);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const baseUrl = (arg("--url") ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  const token = arg("--token") ?? process.env.HELIOS_TOKEN ?? readTokenFile(join(repoRoot, ".dev.vars"));
  if (!token) {
    console.error("no token: pass --token, set HELIOS_TOKEN, or run `npm start` once to create .dev.vars");
    process.exit(1);
  }
  deployExamples({ baseUrl, token }).catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
