// Errors cross two RPC boundaries (isolate -> region object -> API worker) and arrive as plain Errors without their
// class or fields. They travel as this plain shape instead and are rebuilt into classes on the far side.

export interface SerializedError {
  code: string;
  message: string;
  /** The error's own data fields (never its stack); bigints become numbers when exact, strings otherwise. */
  details: Record<string, unknown>;
}

const NON_DETAIL_KEYS = new Set(["code", "name", "message", "stack", "cause"]);

export function serializeError(error: unknown, fallbackCode: string): SerializedError {
  if (!(error instanceof Error)) return { code: fallbackCode, message: String(error), details: {} };
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (!NON_DETAIL_KEYS.has(key)) details[key] = plainValue(value);
  }
  const code = (error as { code?: unknown }).code;
  return { code: typeof code === "string" ? code : fallbackCode, message: error.message, details };
}

function plainValue(value: unknown): unknown {
  if (typeof value === "bigint") {
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(plainValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
  }
  return value;
}
