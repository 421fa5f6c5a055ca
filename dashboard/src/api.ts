// Every action of the dashboard goes through the public HTTP API with the typed client (src/api/client.ts), so the
// dashboard can do nothing the API cannot. An error answer becomes an ApiError with the API's own code and message.

import { heliosClient, type HeliosClient } from "@helios/api/api/client";

export type { HeliosClient };

export class ApiError extends Error {
  /** The error object's other members (e.g. a refused deploy's `violations`). */
  fields: Record<string, unknown> = {};

  constructor(readonly code: string, message: string, readonly status: number) {
    super(message);
    this.name = "ApiError";
  }
}

/** The client for this origin, signed in with `token`. */
export function apiClient(token: string): HeliosClient {
  return heliosClient(location.origin, { token });
}

/** The JSON body of a successful answer; an error answer (or a network failure) throws ApiError. */
export async function ok<T>(pending: Promise<{ ok: boolean; status: number; json(): Promise<T> }>): Promise<T> {
  let response;
  try {
    response = await pending;
  } catch (error) {
    throw new ApiError("network_error", `the API could not be reached: ${(error as Error).message}`, 0);
  }
  if (response.ok) return response.json();
  throw await errorOf(response as unknown as Response);
}

/** The API's `{ error: { code, message } }` of an error answer, or a description of an answer without one. */
export async function errorOf(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (typeof body.error?.code === "string") {
      const { code, message, ...fields } = body.error;
      const error = new ApiError(code, String(message ?? ""), response.status);
      error.fields = fields;
      return error;
    }
  } catch {
    // not JSON: described below
  }
  return new ApiError(`http_${response.status}`, text.slice(0, 200) || response.statusText, response.status);
}
