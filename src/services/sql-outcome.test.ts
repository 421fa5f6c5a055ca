import { describe, expect, it } from "vitest";
import { OutOfFuelInvocationError } from "../runtime/errors.ts";
import { serializeError } from "../sandbox/index.ts";
import { ConstraintViolationError, SqlError, SqlRefusedError, SqlResultTooLargeError } from "./errors.ts";
import { resultJson, rowObjects, unwrapSql } from "./sql-outcome.ts";

const result = { columns: ["id", "data"], rows: [[1, new Uint8Array([0, 255]).buffer]], rowsRead: 1, rowsWritten: 0, lastRowId: null };

describe("unwrapSql", () => {
  it("answers the result, blobs as hex text, rows as objects", () => {
    expect(unwrapSql({ ok: true, value: result })).toBe(result);
    expect(resultJson(result).rows).toEqual([[1, "00ff"]]);
    expect(rowObjects(result)).toEqual([{ id: 1, data: "00ff" }]);
  });

  it("maps each failure to its catalogued error", () => {
    expect(() => unwrapSql({ ok: false, code: "sql_refused", reason: "reserved_name", message: "no" })).toThrow(SqlRefusedError);
    expect(() => unwrapSql({ ok: false, code: "sql_error", message: "UNIQUE constraint failed: t.id" })).toThrow(ConstraintViolationError);
    expect(() => unwrapSql({ ok: false, code: "sql_error", message: "near \"SELEC\": syntax error" })).toThrow(SqlError);
    const tooLarge = { ok: false, code: "result_too_large", message: "add a LIMIT" } as unknown as Parameters<typeof unwrapSql>[0];
    expect(() => unwrapSql(tooLarge)).toThrow(SqlResultTooLargeError);
    try {
      unwrapSql({ ok: false, code: "sql_refused", reason: "too_long", message: "long" });
    } catch (error) {
      expect(error).toMatchObject({ code: "sql_refused", reason: "too_long" });
    }
  });

  it("rebuilds an engine error the failure carries (a trigger's rejection, a timeout) as its own class", () => {
    const carried = { ok: false, code: "engine", message: "x", error: serializeError(new OutOfFuelInvocationError(5), "internal") } as unknown as Parameters<typeof unwrapSql>[0];
    expect(() => unwrapSql(carried)).toThrow(OutOfFuelInvocationError);
  });
});
