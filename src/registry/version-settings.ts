// When two versions are the same: identical uploaded bytes (sha256) and identical settings. What the registry
// derives (number, deploy time) and what follows from bytes plus settings (the instrumented digest and its key)
// are not settings. Fields are compared by value whatever their order, and a field a version stored before it
// existed (allowedHosts) counts as its default, so any setting added later takes part without a change here.

import type { FunctionVersion } from "../runtime/index.ts";

const NOT_SETTINGS = new Set(["name", "version", "deployedAt", "instrumentedSha256", "moduleKey"]);
const DEFAULTS: Readonly<Record<string, unknown>> = { allowedHosts: [] };

/** A canonical text of the version's bytes digest and settings: equal texts, same version. */
export function settingsKey(version: Omit<FunctionVersion, "version" | "deployedAt">): string {
  const fields: Record<string, unknown> = { ...DEFAULTS };
  for (const [key, value] of Object.entries(version)) if (!NOT_SETTINGS.has(key) && value !== undefined) fields[key] = value;
  return canonical(fields);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
