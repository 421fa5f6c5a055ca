// The one place errors become HTTP responses: `{ "error": { "code", "message", ...fields } }` with the
// status assigned to the code below (the table is mirrored in docs/errors.md). Errors from every layer
// (src/wasm, src/sandbox, src/runtime, src/registry, src/api) carry a stable `code`; their public fields
// become extra members of the error object. Anything without a known code is an internal error and its
// message is not exposed.

export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  // The caller sent something wrong.
  invalid_request: 400,
  bad_module: 400,
  malformed_module: 400,
  hash_mismatch: 400,
  unauthorized: 401,
  not_found: 404,
  unknown_function: 404,
  not_deployed_in_region: 404,
  payload_too_large: 413,
  module_too_large: 413,
  unsupported_media_type: 415,
  policy_violation: 422,
  unsupported_feature: 422,
  // The function ran and failed deterministically: the same request fails the same way, so not 5xx.
  out_of_fuel: 422,
  memory_limit: 422,
  // The function misbehaved: the gateway (us) got no usable answer from it.
  guest_trap: 500,
  guest_abi_violation: 500,
  invalid_guest_output: 502,
  response_too_large: 502,
  // Ours.
  instrumentation_failed: 500,
  activation_failed: 503,
  sandbox_internal_error: 500,
  module_missing: 500,
  module_digest_mismatch: 500,
  internal: 500,
};

const HIDDEN_FIELDS = new Set(["name", "message", "stack", "code", "cause"]);

export interface ErrorBody {
  error: { code: string; message: string; [field: string]: unknown };
}

export function errorResponse(error: unknown): Response {
  const code = knownCode(error);
  if (code === null) {
    console.error("unhandled error", error);
    return json({ error: { code: "internal", message: "internal error" } }, STATUS_BY_CODE.internal);
  }
  const err = error as Error & Record<string, unknown>;
  const body: ErrorBody = { error: { code, message: err.message } };
  for (const [field, value] of Object.entries(err)) {
    if (!HIDDEN_FIELDS.has(field) && value !== undefined) body.error[field] = plain(value);
  }
  return json(body, STATUS_BY_CODE[code]);
}

function knownCode(error: unknown): string | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && code in STATUS_BY_CODE && code !== "internal" ? code : null;
}

/** JSON has no BigInt (fuel budgets are i64). */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
}

function json(body: ErrorBody, status: number): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8" } });
}
