/// <reference types="@cloudflare/vitest-pool-workers/types" />
// Helpers for the API integration tests: requests through the Worker's own fetch handler (SELF), deploys
// of the API guests, and views of what is stored (R2 objects, registry rows) to prove rejections store nothing.

import { env, SELF } from "cloudflare:test";
import { inject } from "vitest";
import { registryStub } from "../../src/registry/index.ts";
import type { GuestName } from "../support/guest-modules.ts";

export const TOKEN = "test-token";
export const BASE = "https://helios.test";
export const AUTH = { authorization: `Bearer ${TOKEN}` };

export function guest(name: GuestName): Uint8Array {
  return Uint8Array.from(atob(inject("apiGuests")[name]), (c) => c.charCodeAt(0));
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

let counter = 0;
/** Names unique across the run, so tests never see each other's functions. */
export function freshName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${counter++}`;
}

export function request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  return SELF.fetch(`${BASE}${path}`, { method, ...init });
}

export interface DeployOptions {
  /** Query string settings, e.g. { regions: "wnam,weur", fuel: "1000" }. */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  sha256?: string;
}

/** Raw deploy (`application/wasm`); resolves to the response. */
export async function deployRaw(name: string, bytes: Uint8Array, options: DeployOptions = {}): Promise<Response> {
  const query = new URLSearchParams(options.query ?? {}).toString();
  return request("PUT", `/v1/functions/${name}${query ? `?${query}` : ""}`, {
    body: bytes,
    headers: {
      ...AUTH,
      "content-type": "application/wasm",
      "x-helios-sha256": options.sha256 ?? (await sha256Hex(bytes)),
      ...options.headers,
    },
  });
}

/** Deploys and insists it worked; returns the function view. */
export async function deployed(name: string, guestName: GuestName, options: DeployOptions = {}): Promise<FunctionJson> {
  const response = await deployRaw(name, guest(guestName), options);
  const body = await response.json<{ function: FunctionJson; error?: unknown }>();
  if (!response.ok) throw new Error(`deploy ${name} failed: ${response.status} ${JSON.stringify(body.error)}`);
  return body.function;
}

export function invoke(name: string, body: BodyInit | null = null, options: { region?: string; headers?: Record<string, string> } = {}) {
  const query = options.region ? `?region=${options.region}` : "";
  return request("POST", `/v1/functions/${name}/invoke${query}`, { body, headers: options.headers });
}

export interface FunctionJson {
  name: string;
  version: number;
  sha256: string;
  instrumentedSha256: string;
  regions: string[];
  profile: string[];
  limits: { fuel: number; maxMemoryPages: number; maxPayloadBytes: number; maxResponseBytes: number };
  config: Record<string, string>;
  private: boolean;
  deployedAt: string;
}

export interface ErrorJson {
  error: { code: string; message: string; [field: string]: unknown };
}

/** Asserts nothing about the body beyond its shape; returns the error object. */
export async function errorOf(response: Response): Promise<ErrorJson["error"]> {
  expectJson(response);
  const body = await response.json<ErrorJson>();
  if (typeof body.error?.code !== "string" || typeof body.error.message !== "string") {
    throw new Error(`not an error body: ${JSON.stringify(body)}`);
  }
  return body.error;
}

function expectJson(response: Response): void {
  const type = response.headers.get("content-type") ?? "";
  if (!type.startsWith("application/json")) throw new Error(`expected JSON, got ${type}`);
}

/** Everything stored: R2 keys and the registry's version rows. */
export async function storedState(): Promise<{ objects: string[]; versions: number }> {
  const objects: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await env.MODULES.list({ cursor });
    objects.push(...page.objects.map((o) => o.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return { objects: objects.sort(), versions: await registryStub(env).countVersions() };
}

/** The response body as UTF-8 (invocation output is application/octet-stream). */
export async function textOf(response: Response): Promise<string> {
  return new TextDecoder().decode(await response.arrayBuffer());
}

/**
 * A request body that delivers `chunks` chunks of `chunkBytes`, then withholds the rest until release() (which
 * ends it). A response that arrives while it is withheld was sent without waiting for the body.
 */
export function withheldBody(chunkBytes: number, chunks: number) {
  let pulled = 0;
  let release!: () => void;
  const released = new Promise<void>((done) => (release = done));
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (pulled >= chunks) {
        await released;
        controller.close();
        return;
      }
      pulled++;
      controller.enqueue(new Uint8Array(chunkBytes));
    },
  });
  return { body, pulledBytes: () => pulled * chunkBytes, release };
}
