// The CLI's one way to talk to the API: base URL + bearer token, every failure turned into a CliError with its exit
// code: no answer -> NetworkError (3); `{ error: { code, message } }` -> ApiError (4 for auth, else 2); any other
// non-JSON answer -> ProtocolError (5).

import { ApiError, NetworkError, NotLoggedInError, ProtocolError } from "./errors.mjs";

export const DEFAULT_TIMEOUT_SECONDS = 120;

/** Percent-encodes one path segment. @param {string | number} segment */
export const seg = (segment) => encodeURIComponent(String(segment));

export class HeliosClient {
  /**
   * @param {{ url: string, token?: string, timeoutSeconds?: number, fetch?: typeof fetch }} options
   */
  constructor({ url, token, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS, fetch: fetchImpl = globalThis.fetch }) {
    this.url = url;
    this.token = token;
    this.timeoutMs = timeoutSeconds * 1000;
    this.fetch = fetchImpl;
  }

  /**
   * Sends one request and answers its JSON body.
   * @param {string} method @param {string} path
   * @param {RequestOptions} [options]
   * @returns {Promise<any>}
   */
  async json(method, path, options = {}) {
    const response = await this.send(method, path, options);
    const text = await this.readText(response);
    try {
      return JSON.parse(text);
    } catch {
      throw new ProtocolError(`${method} ${path}: HTTP ${response.status} with a body that is not JSON: ${preview(text)}`);
    }
  }

  /**
   * Sends one request and answers the successful response itself (its body unread), for bytes and streams.
   * @param {string} method @param {string} path @param {RequestOptions} [options]
   */
  async send(method, path, options = {}) {
    const { query, json, body, headers = {}, auth = "required", timeout = true } = options;
    if (auth === "required" && !this.token) throw new NotLoggedInError();
    const target = new URL(this.url + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) target.searchParams.set(key, String(value));
    }
    /** @type {Record<string, string>} */
    const allHeaders = { accept: "application/json", ...headers };
    if (this.token && auth !== "none") allHeaders.authorization = `Bearer ${this.token}`;
    let requestBody = body;
    if (json !== undefined) {
      allHeaders["content-type"] = "application/json";
      requestBody = JSON.stringify(json);
    }
    /** @type {RequestInit & { duplex?: "half" }} */
    const init = { method, headers: allHeaders, body: requestBody, redirect: "manual" };
    if (requestBody instanceof ReadableStream) init.duplex = "half"; // undici requires it for streamed uploads
    if (timeout && this.timeoutMs > 0) init.signal = AbortSignal.timeout(this.timeoutMs);

    let response;
    try {
      response = await this.fetch(target, init);
    } catch (error) {
      throw new NetworkError(this.url, error);
    }
    if (response.ok) return response;
    throw await this.failure(method, path, response);
  }

  /** @param {string} method @param {string} path @param {Response} response */
  async failure(method, path, response) {
    const text = await this.readText(response);
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const error = parsed?.error;
    if (error && typeof error.code === "string" && typeof error.message === "string") return new ApiError(response.status, error);
    const location = response.headers.get("location");
    const hint = location ? ` (redirected to ${location}; check the URL)` : "";
    return new ProtocolError(`${method} ${path}: HTTP ${response.status} that is not a Helios API error${hint}: ${preview(text)}`);
  }

  /** @param {Response} response */
  async readText(response) {
    try {
      return await response.text();
    } catch (error) {
      throw new NetworkError(this.url, error);
    }
  }
}

/**
 * @typedef {{
 *   query?: Record<string, string | number | boolean | undefined | null>,
 *   json?: unknown, body?: string | Uint8Array | ReadableStream, headers?: Record<string, string>,
 *   auth?: "required" | "optional" | "none", timeout?: boolean,
 * }} RequestOptions
 */

/** @param {string} text */
function preview(text) {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat === "") return "(empty body)";
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
