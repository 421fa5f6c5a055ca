// Turns a deploy request into (loose manifest, module bytes). Two forms are accepted:
//   - `content-type: application/wasm`: the body is the module; settings come from query parameters
//     or `x-helios-*` headers (table below);
//   - `multipart/form-data`: a `manifest` part (JSON) and a `module` part.
// The body is read under a cap (read-body.ts), so an oversized upload is refused before it is held whole.

import { InvalidRequestError, ModuleTooLargeError, UnsupportedMediaTypeError } from "./errors.ts";
import { MAX_MODULE_BYTES, MULTIPART_OVERHEAD_BYTES } from "../services/module-policy.ts";
import { readBodyCapped } from "./read-body.ts";

export interface DeployInput {
  manifest: Record<string, unknown>;
  module: Uint8Array;
  /** Host the deploy request was sent to: the runtime's own, which no allow-list may name. */
  selfHost?: string;
}

type SettingKind = "string" | "list" | "integer" | "boolean" | "json";

interface Setting {
  /** Dotted path in the manifest. */
  field: string;
  query: string;
  header: string;
  kind: SettingKind;
}

/** Settings of a raw deploy. Documented in README.md ("Deploy settings"). */
export const DEPLOY_SETTINGS: readonly Setting[] = [
  { field: "sha256", query: "sha256", header: "x-helios-sha256", kind: "string" },
  { field: "regions", query: "regions", header: "x-helios-regions", kind: "list" },
  { field: "profile", query: "profile", header: "x-helios-profile", kind: "list" },
  { field: "limits.fuel", query: "fuel", header: "x-helios-fuel", kind: "integer" },
  { field: "limits.maxMemoryPages", query: "maxMemoryPages", header: "x-helios-max-memory-pages", kind: "integer" },
  { field: "limits.maxPayloadBytes", query: "maxPayloadBytes", header: "x-helios-max-payload-bytes", kind: "integer" },
  { field: "limits.maxResponseBytes", query: "maxResponseBytes", header: "x-helios-max-response-bytes", kind: "integer" },
  { field: "private", query: "private", header: "x-helios-private", kind: "boolean" },
  { field: "config", query: "config", header: "x-helios-config", kind: "json" },
  { field: "allowedHosts", query: "allowedHosts", header: "x-helios-allowed-hosts", kind: "list" },
  { field: "database", query: "database", header: "x-helios-database", kind: "string" },
  { field: "tag", query: "tag", header: "x-helios-tag", kind: "string" },
];

const ACCEPTED_TYPES = ["application/wasm", "multipart/form-data"];

export async function readDeployRequest(request: Request): Promise<DeployInput> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  const selfHost = new URL(request.url).host;
  if (mediaType === "application/wasm") return { ...(await readRawDeploy(request)), selfHost };
  if (mediaType === "multipart/form-data") return { ...(await readMultipartDeploy(request)), selfHost };
  throw new UnsupportedMediaTypeError(mediaType, ACCEPTED_TYPES);
}

async function readRawDeploy(request: Request): Promise<DeployInput> {
  const manifest = settingsFromRequest(request);
  const module = await readBodyCapped(request, MAX_MODULE_BYTES, () => new ModuleTooLargeError(MAX_MODULE_BYTES));
  return { manifest, module };
}

async function readMultipartDeploy(request: Request): Promise<DeployInput> {
  rejectUnknownQuery(new URL(request.url), new Set());
  const body = await readBodyCapped(
    request,
    MAX_MODULE_BYTES + MULTIPART_OVERHEAD_BYTES,
    () => new ModuleTooLargeError(MAX_MODULE_BYTES),
  );
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": request.headers.get("content-type") ?? "" } }).formData();
  } catch {
    throw InvalidRequestError.of("body", "is not valid multipart/form-data");
  }

  const manifestPart = formPart(form, "manifest");
  if (manifestPart === null) throw InvalidRequestError.of("manifest", "the multipart body needs a `manifest` part (JSON)");
  const manifestText = typeof manifestPart === "string" ? manifestPart : await manifestPart.text();
  let manifest: unknown;
  try {
    manifest = JSON.parse(manifestText);
  } catch {
    throw InvalidRequestError.of("manifest", "is not valid JSON");
  }
  if (typeof manifest !== "object" || manifest === null || Array.isArray(manifest)) {
    throw InvalidRequestError.of("manifest", "must be a JSON object");
  }

  const modulePart = formPart(form, "module");
  if (modulePart === null || typeof modulePart === "string") {
    throw InvalidRequestError.of("module", "the multipart body needs a `module` part holding the .wasm file");
  }
  if (modulePart.size > MAX_MODULE_BYTES) throw new ModuleTooLargeError(MAX_MODULE_BYTES);
  const module = new Uint8Array(await modulePart.arrayBuffer());

  const loose = { ...(manifest as Record<string, unknown>) };
  const headerHash = request.headers.get("x-helios-sha256");
  if (headerHash !== null) {
    if (loose.sha256 !== undefined && loose.sha256 !== headerHash) {
      throw InvalidRequestError.of("sha256", "the manifest and the x-helios-sha256 header disagree");
    }
    loose.sha256 = headerHash;
  }
  return { manifest: loose, module };
}

/** Collects raw-deploy settings from the query string and headers into a loose manifest. */
function settingsFromRequest(request: Request): Record<string, unknown> {
  const url = new URL(request.url);
  rejectUnknownQuery(url, new Set(DEPLOY_SETTINGS.map((s) => s.query)));
  const known = new Set(DEPLOY_SETTINGS.map((s) => s.header));
  for (const [header] of request.headers) {
    if (header.startsWith("x-helios-") && !known.has(header)) {
      throw InvalidRequestError.of(header, "is not a deploy setting");
    }
  }

  const manifest: Record<string, unknown> = {};
  for (const setting of DEPLOY_SETTINGS) {
    const fromQuery = url.searchParams.get(setting.query);
    const fromHeader = request.headers.get(setting.header);
    if (fromQuery !== null && fromHeader !== null && fromQuery !== fromHeader) {
      throw InvalidRequestError.of(setting.field, `query parameter ${setting.query} and header ${setting.header} disagree`);
    }
    const raw = fromQuery ?? fromHeader;
    if (raw === null) continue;
    setPath(manifest, setting.field, convert(raw, setting));
  }
  return manifest;
}

/** Workers' FormData yields File or string; the Node and Workers type libraries disagree on the name. */
function formPart(form: FormData, name: string): Blob | string | null {
  return form.get(name) as unknown as Blob | string | null;
}

function rejectUnknownQuery(url: URL, allowed: Set<string>): void {
  for (const key of url.searchParams.keys()) {
    if (!allowed.has(key)) throw InvalidRequestError.of(key, "is not a deploy setting");
  }
}

/** Strings from a URL or header become the manifest's types; anything unconvertible is left as a
 *  string so the schema reports it against its field. */
function convert(raw: string, setting: Setting): unknown {
  switch (setting.kind) {
    case "string":
      return raw;
    case "list":
      return raw.split(",").map((item) => item.trim()).filter((item) => item !== "");
    case "integer":
      return /^\d+$/.test(raw) ? Number(raw) : raw;
    case "boolean":
      return raw === "true" || raw === "1" ? true : raw === "false" || raw === "0" ? false : raw;
    case "json":
      try {
        return JSON.parse(raw);
      } catch {
        throw InvalidRequestError.of(setting.field, "is not valid JSON");
      }
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node = (node[key] ??= {}) as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}
