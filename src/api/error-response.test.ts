import { describe, expect, it } from "vitest";
import { sampleError } from "../../test/support/error-samples.ts";
import { ERROR_CATALOGUE, ERROR_CODES } from "../errors/index.ts";
import * as apiErrors from "./errors.ts";
import { errorResponse } from "./error-response.ts";
import * as wasmErrors from "../wasm/errors.ts";

describe("errorResponse", () => {
  it.each(ERROR_CODES.filter((code) => ERROR_CATALOGUE[code].class !== null))(
    "%s: answers with the catalogue's status and the JSON error shape, fields included",
    async (code) => {
      const error = sampleError(code);
      const response = errorResponse(error);
      expect(response.status).toBe(ERROR_CATALOGUE[code].status);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await response.json()) as { error: Record<string, unknown> };
      expect(body.error.code).toBe(code);
      expect(body.error.message).toBe(error.message);
      expect(body.error).not.toHaveProperty("stack");
      for (const field of Object.keys(ERROR_CATALOGUE[code].fields)) {
        if (field in error) expect(body.error, field).toHaveProperty(field);
      }
    },
  );

  it("sends bigints as decimal strings and names every invalid field", async () => {
    const fuel = (await errorResponse(new wasmErrors.OutOfFuelError(10n)).json()) as { error: Record<string, unknown> };
    expect(fuel.error.budget).toBe("10");
    const invalid = (await errorResponse(apiErrors.InvalidRequestError.of("name", "bad")).json()) as { error: Record<string, unknown> };
    expect(invalid.error).toMatchObject({ field: "name", issues: [{ field: "name", message: "bad" }] });
  });

  it("hides anything it does not know as a 500 internal error", async () => {
    for (const error of [new Error("secret detail"), Object.assign(new Error("x"), { code: "EACCES" }), Object.assign(new Error("y"), { code: "internal" }), "thrown string"]) {
      const response = errorResponse(error);
      expect(response.status).toBe(500);
      expect(await response.json()).toEqual({ error: { code: "internal", message: "internal error" } });
    }
  });
});
