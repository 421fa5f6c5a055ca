import { describe, expect, it } from "vitest";
import { checkUserSql } from "./sql-statement.ts";
import { affinityOf, deleteStatement, insertStatement, keyValueFromText, pageStatement, quoteIdentifier, selectByKeyStatement, updateStatement } from "./row-statements.ts";
import type { TableInfo } from "./table-info.ts";

const col = (name: string, type: string, primaryKey = 0) => ({ name, type, notNull: false, primaryKey });
const orders: TableInfo = { name: "orders", columns: [col("id", "INTEGER", 1), col("total", "REAL")], key: ["id"] };
const stock: TableInfo = { name: 'we"ird', columns: [col("w", "TEXT", 1), col("sku", "TEXT", 2), col("qty", "INT")], key: ["w", "sku"] };
const events: TableInfo = { name: "events", columns: [col("kind", "TEXT")], key: [] };

describe("row statements", () => {
  it("quote every identifier and bind every value, so each passes the user-SQL check", () => {
    const statements = [
      insertStatement(orders, [["total", 5]]),
      insertStatement(events, []),
      selectByKeyStatement(stock, ["a", "b"]),
      updateStatement(stock, ["a", "b"], [["qty", 1]]),
      deleteStatement(events, [3]),
      pageStatement(stock, ["a", "b"], 11),
      pageStatement(orders, null, 11),
    ];
    for (const statement of statements) expect(checkUserSql(statement.sql).ok, statement.sql).toBe(true);
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(insertStatement(orders, [["total", 5]])).toEqual({ sql: 'INSERT INTO "orders" ("total") VALUES (?) RETURNING "id"', params: [5] });
    expect(insertStatement(events, [])).toEqual({ sql: 'INSERT INTO "events" DEFAULT VALUES RETURNING rowid', params: [] });
    expect(updateStatement(stock, ["a", "b"], [["qty", 1]])).toEqual({
      sql: 'UPDATE "we""ird" SET "qty" = ? WHERE "w" = ? AND "sku" = ? RETURNING "w", "sku"',
      params: [1, "a", "b"],
    });
    expect(deleteStatement(events, [3])).toEqual({ sql: 'DELETE FROM "events" WHERE rowid = ? RETURNING rowid AS rowid, *', params: [3] });
  });

  it("page by keyset: a row-value comparison for composite keys, the limit bound last", () => {
    expect(pageStatement(stock, ["a", "b"], 11)).toEqual({
      sql: 'SELECT * FROM "we""ird" WHERE ("w", "sku") > (?, ?) ORDER BY "w", "sku" LIMIT ?',
      params: ["a", "b", 11],
    });
    expect(pageStatement(orders, null, 101)).toEqual({ sql: 'SELECT * FROM "orders" ORDER BY "id" LIMIT ?', params: [101] });
    expect(pageStatement(events, [7], 2).sql).toBe('SELECT rowid AS rowid, * FROM "events" WHERE rowid > ? ORDER BY rowid LIMIT ?');
  });

  it("turn URL key text into the value the column compares equal to", () => {
    expect(keyValueFromText(orders, "id", "42")).toBe(42);
    expect(keyValueFromText(orders, "id", "x")).toBe("x");
    expect(keyValueFromText(stock, "w", "00123")).toBe("00123");
    expect(keyValueFromText(events, "rowid", "7")).toBe(7);
    expect(keyValueFromText(events, "rowid", "7.5")).toBeNull();
    expect([affinityOf("BIGINT"), affinityOf("VARCHAR(5)"), affinityOf(""), affinityOf("DOUBLE"), affinityOf("DECIMAL")]).toEqual(["integer", "text", "blob", "real", "numeric"]);
  });
});
