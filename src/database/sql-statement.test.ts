import { describe, expect, it } from "vitest";
import { checkUserSql, MAX_SQL_BYTES, tokenizeSql } from "./sql-statement.ts";

const reason = (sql: string) => checkUserSql(sql).reason ?? "ok";

describe("checkUserSql", () => {
  it("accepts one statement, with or without trailing semicolons and comments", () => {
    expect(reason("SELECT * FROM orders WHERE id = ?")).toBe("ok");
    expect(reason("INSERT INTO orders (total) VALUES (?1);;  -- done")).toBe("ok");
    expect(reason("/* c */ WITH t AS (SELECT 1) SELECT * FROM t;")).toBe("ok");
    expect(checkUserSql("  update orders set total = 1").firstWord).toBe("update");
  });

  it("refuses a second statement after ; — but not a ; inside a string, identifier or comment", () => {
    expect(reason("SELECT 1; DROP TABLE orders")).toBe("multiple_statements");
    expect(reason("SELECT 1;/* x */SELECT 2")).toBe("multiple_statements");
    expect(reason("SELECT 'a;b', \"c;d\", [e;f] -- ; SELECT 2")).toBe("ok");
    expect(reason("SELECT 'it''s; fine' /* ; */")).toBe("ok");
  });

  it("refuses transaction control, ATTACH/DETACH, PRAGMA (also as table-valued functions) and VACUUM", () => {
    for (const sql of ["BEGIN", "begin transaction", "COMMIT", "END", "ROLLBACK", "SAVEPOINT s", "RELEASE s", "ATTACH 'x' AS y", "detach y", "PRAGMA table_info(t)", "VACUUM"]) {
      expect(reason(sql), sql).toBe("refused_statement");
    }
    expect(reason("SELECT * FROM pragma_table_info('t')")).toBe("refused_statement");
    expect(reason("/* hide */ Begin")).toBe("refused_statement");
  });

  it("refuses reserved names in any case, quoted or not, but not the prefix inside a string", () => {
    for (const sql of ["SELECT * FROM _helios_changes", "select * from _HELIOS_migrations", 'DROP TABLE "_Helios_x"', "SELECT * FROM [_cf_kv]", "SELECT * FROM `_CF_meta`"]) {
      expect(reason(sql), sql).toBe("reserved_name");
    }
    expect(reason("SELECT '_helios_changes'")).toBe("ok");
  });

  it("refuses empty text, unterminated strings and comments, and SQL over the length cap", () => {
    expect(reason("")).toBe("empty");
    expect(reason(" ; ; -- nothing")).toBe("empty");
    expect(reason("SELECT 'open")).toBe("unterminated");
    expect(reason("SELECT 1 /* open")).toBe("unterminated");
    expect(reason(`SELECT '${"x".repeat(MAX_SQL_BYTES)}'`)).toBe("too_long");
  });
});

describe("tokenizeSql", () => {
  it("undoes doubled quotes and keeps offsets", () => {
    expect(tokenizeSql(`SELECT "a""b", 'c''d', x'00ff', ?2, :name, 1.5e-3`).map((t) => [t.kind, t.text])).toEqual([
      ["word", "SELECT"], ["quoted", 'a"b'], ["symbol", ","], ["string", "c'd"], ["symbol", ","], ["blob", "00ff"], ["symbol", ","],
      ["parameter", "?2"], ["symbol", ","], ["parameter", ":name"], ["symbol", ","], ["number", "1.5e-3"],
    ]);
  });
});
