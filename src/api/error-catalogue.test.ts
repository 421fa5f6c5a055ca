// The error catalogue against the code: every concrete error class of every layer is in it under its own code,
// each entry's class is built from the entry's `args` alone and carries exactly the entry's fields, no two classes
// share a code, rebuilt-after-RPC classes round-trip, and docs/errors.md holds the current table.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { exportedClasses, sampleError } from "../../test/support/error-samples.ts";
import { ERROR_CATALOGUE, ERROR_CODES, type ErrorSpec } from "../errors/index.ts";
import { renderErrorTable, withErrorTable } from "../errors/errors-doc.ts";
import * as runtimeErrors from "../runtime/errors.ts";
import { serializeError } from "../sandbox/index.ts";

const WITH_CLASS = ERROR_CODES.filter((code) => ERROR_CATALOGUE[code].class !== null);

describe("error catalogue", () => {
  it("lists every exported error class exactly once, and no two classes share a code", () => {
    const listed = WITH_CLASS.map((code) => ERROR_CATALOGUE[code].class);
    expect(new Set(listed).size).toBe(listed.length);
    expect(new Set(listed)).toEqual(new Set(exportedClasses().keys()));
  });

  it.each(WITH_CLASS)("%s: its class is built from the entry's args, has that code, and exactly the entry's fields", (code) => {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    const error = sampleError(code);
    expect(error.code).toBe(code);
    expect(error.constructor.name).toBe(spec.class);
    const own = Object.keys(error).filter((key) => !["code", "name", "hostCode"].includes(key));
    const required = Object.entries(spec.fields).filter(([, f]) => !f.optional).map(([name]) => name);
    expect(own.sort()).toEqual(expect.arrayContaining(required));
    for (const key of own) expect(Object.keys(spec.fields), `${code}.${key} is not in the catalogue`).toContain(key);
  });

  it.each(runtimeErrors.REBUILDABLE_CODES)("%s survives serialize -> structured clone -> rebuild", (code) => {
    const original = sampleError(code);
    const rebuilt = runtimeErrors.errorFromSerialized(structuredClone(serializeError(original, "fallback")));
    expect(rebuilt).toBeInstanceOf(original.constructor);
    expect(rebuilt.message).toBe(original.message);
    expect({ ...rebuilt }).toEqual({ ...original });
  });

  it("has a status for every code within 4xx/5xx, and uses `internal` only for the unclassed fallback", () => {
    for (const code of ERROR_CODES) expect(ERROR_CATALOGUE[code].status).toBeGreaterThanOrEqual(400);
    expect(ERROR_CODES.filter((code) => ERROR_CATALOGUE[code].class === null)).toEqual(["internal"]);
  });
});

describe("docs/errors.md", () => {
  it("holds the table generated from the catalogue (run `npm run docs:errors` after adding a code)", () => {
    const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
    expect(doc).toContain(renderErrorTable());
    expect(withErrorTable(doc)).toBe(doc);
    for (const code of ERROR_CODES) expect(doc).toContain(`| \`${code}\` | ${ERROR_CATALOGUE[code].status} |`);
  });
});
