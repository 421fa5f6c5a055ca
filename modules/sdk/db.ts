// The function's own database (capability `database_read` for db.query, `database` for db.execute; the database
// is named at deploy with the manifest field `database`). SQL text and parameters travel separately: parameters
// are built with DbParams (a JSON array the host binds), never concatenated into the SQL. A result is a host-made
// block of JSON {columns, rows, rowsRead, rowsWritten, lastRowId}, copied out and freed here, so nothing leaks.
// In a procedure (profile `database`) every call is part of the invocation's one transaction.

import { JsonKind, JsonValue, parseJson } from "./json";
import { HostStatus, statusName } from "./status";

@external("heliosdb", "heliosdb_db_query")
declare function heliosdb_db_query(sqlPtr: usize, sqlLen: usize, paramsPtr: usize, paramsLen: usize, outPtrPtr: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_db_execute")
declare function heliosdb_db_execute(sqlPtr: usize, sqlLen: usize, paramsPtr: usize, paramsLen: usize, outPtrPtr: usize, outLenPtr: usize): i32;
@external("heliosdb", "heliosdb_dealloc")
declare function heliosdb_dealloc(ptr: usize, size: i32): i32;

/** Bound parameters, in order (`?`, `?1`, ...): `DbParams.of().str("A1").int(2)`. */
export class DbParams {
  private parts: string[] = [];

  static of(): DbParams {
    return new DbParams();
  }

  str(value: string): DbParams {
    this.parts.push(JsonValue.string(value).stringify());
    return this;
  }

  /** An integer, sent exactly (no detour through f64). */
  int(value: i64): DbParams {
    this.parts.push(value.toString());
    return this;
  }

  /** A real number; NaN and infinities are sent as null (SQLite has no such values). */
  num(value: f64): DbParams {
    this.parts.push(isFinite(value) ? JsonValue.number(value).stringify() : "null");
    return this;
  }

  /** Stored as 1 or 0. */
  bool(value: bool): DbParams {
    this.parts.push(value ? "true" : "false");
    return this;
  }

  null(): DbParams {
    this.parts.push("null");
    return this;
  }

  get length(): i32 {
    return this.parts.length;
  }

  toJson(): string {
    return "[" + this.parts.join(",") + "]";
  }
}

/** One result row; values by column name, typed. */
export class DbRow {
  constructor(
    private columns: string[],
    public values: JsonValue[],
  ) {}

  /** The value of `column`, or null when the result has no such column. */
  get(column: string): JsonValue | null {
    for (let i = 0; i < this.columns.length; i++) {
      if (this.columns[i] == column) return i < this.values.length ? this.values[i] : null;
    }
    return null;
  }

  isNull(column: string): bool {
    const value = this.get(column);
    return value === null || value.kind == JsonKind.Null;
  }

  getString(column: string, fallback: string = ""): string {
    const value = this.get(column);
    return value !== null && value.kind == JsonKind.String ? value.stringValue : fallback;
  }

  getNumber(column: string, fallback: f64 = 0): f64 {
    const value = this.get(column);
    return value !== null && value.kind == JsonKind.Number ? value.numberValue : fallback;
  }

  /** Integers up to 2^53 in magnitude are exact (the result is JSON). */
  getInt(column: string, fallback: i64 = 0): i64 {
    const value = this.get(column);
    return value !== null && value.kind == JsonKind.Number ? <i64>value.numberValue : fallback;
  }

  /** SQLite stores booleans as integers: any non-zero number is true. */
  getBool(column: string, fallback: bool = false): bool {
    const value = this.get(column);
    if (value === null) return fallback;
    if (value.kind == JsonKind.Bool) return value.boolValue;
    return value.kind == JsonKind.Number ? value.numberValue != 0 : fallback;
  }
}

export class DbResult {
  columns: string[] = [];
  rows: DbRow[] = [];
  rowsRead: i64 = 0;
  rowsWritten: i64 = 0;
  /** The rowid of the last inserted row, or -1 when the statement inserted none. */
  lastRowId: i64 = -1;
  /** The host's error code when the database answered one ("sql_error", "trigger_rejected", ...), else "". */
  errorCode: string = "";
  /** The database's message: SQLite's, the statement check's, or the trigger's; "" when there is none. */
  message: string = "";

  constructor(
    /** 0, or the negative host status (HostStatus.SqlError, ...). */
    public status: i32,
  ) {}

  get ok(): bool {
    return this.status == HostStatus.Ok;
  }

  /** "ok", or the status's name with the database's message: "sqlError: no such table: orders". */
  get error(): string {
    if (this.ok) return "ok";
    return this.message.length > 0 ? statusName(this.status) + ": " + this.message : statusName(this.status);
  }

  /** The first row, or null. */
  first(): DbRow | null {
    return this.rows.length > 0 ? this.rows[0] : null;
  }

  /** This result, or abort (guest_trap, the reason in the logs) when the call failed: a procedure then rolls back. */
  unwrap(): DbResult {
    if (!this.ok) abort("database call failed: " + this.error);
    return this;
  }
}

// The two u32 slots the host writes the result block's address and length into.
const outSlots = memory.data(8);

/** Runs a read-only statement (SELECT, or WITH ... SELECT); a statement that writes is refused (HostStatus.ReadOnly). */
export namespace db {
  export function query(sql: string, params: DbParams | null = null): DbResult {
    const sqlBytes = String.UTF8.encode(sql, false);
    const paramBytes = encodeParams(params);
    clearSlots();
    const status = heliosdb_db_query(
      changetype<usize>(sqlBytes), <usize>sqlBytes.byteLength,
      changetype<usize>(paramBytes), <usize>paramBytes.byteLength, outSlots, outSlots + 4,
    );
    return readResult(status);
  }

  /** Runs one statement that may write (INSERT, UPDATE, DELETE, DDL); in a procedure, inside its transaction. */
  export function execute(sql: string, params: DbParams | null = null): DbResult {
    const sqlBytes = String.UTF8.encode(sql, false);
    const paramBytes = encodeParams(params);
    clearSlots();
    const status = heliosdb_db_execute(
      changetype<usize>(sqlBytes), <usize>sqlBytes.byteLength,
      changetype<usize>(paramBytes), <usize>paramBytes.byteLength, outSlots, outSlots + 4,
    );
    return readResult(status);
  }
}

function encodeParams(params: DbParams | null): ArrayBuffer {
  // An empty parameter text means "no parameters".
  return params !== null && params.length > 0 ? String.UTF8.encode(params.toJson(), false) : new ArrayBuffer(0);
}

function clearSlots(): void {
  store<u32>(outSlots, 0);
  store<u32>(outSlots, 0, 4);
}

/** Copies the host-made block (the result, or an error message) out of the slots and frees it. */
function takeBlock(): string {
  const ptr = <usize>load<u32>(outSlots);
  const len = load<u32>(outSlots, 4);
  if (len == 0) return "";
  const text = String.UTF8.decodeUnsafe(ptr, <usize>len, false);
  heliosdb_dealloc(ptr, <i32>len);
  return text;
}

function readResult(status: i32): DbResult {
  const result = new DbResult(status);
  const text = takeBlock();
  if (text.length == 0) return result;
  const parsed = parseJson(text);
  if (!parsed.ok) {
    result.message = text;
    return result;
  }
  const body = parsed.value!;
  if (status != HostStatus.Ok) {
    // Failures with a message answer {"error": {"code", "message"}}.
    const error = body.get("error");
    if (error !== null) {
      const code = error.get("code");
      const message = error.get("message");
      if (code !== null) result.errorCode = code.asString();
      if (message !== null) result.message = message.asString();
    }
    return result;
  }
  const columns = body.get("columns");
  if (columns !== null) {
    for (let i = 0; i < columns.items.length; i++) result.columns.push(columns.items[i].asString());
  }
  const rows = body.get("rows");
  if (rows !== null) {
    for (let i = 0; i < rows.items.length; i++) result.rows.push(new DbRow(result.columns, rows.items[i].items));
  }
  result.rowsRead = <i64>numberOr(body.get("rowsRead"), 0);
  result.rowsWritten = <i64>numberOr(body.get("rowsWritten"), 0);
  result.lastRowId = <i64>numberOr(body.get("lastRowId"), -1);
  return result;
}

function numberOr(value: JsonValue | null, fallback: f64): f64 {
  return value !== null && value.kind == JsonKind.Number ? value.numberValue : fallback;
}
