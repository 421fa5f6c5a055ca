// Checks one statement of user or guest SQL before it reaches `sql.exec`, by tokenizing it the way SQLite does
// (strings, quoted identifiers, blob literals, comments) rather than by pattern-matching the text: exactly one
// statement (a second one after `;` is refused, not ignored), never transaction control, ATTACH/DETACH, PRAGMA or
// VACUUM, and never a name in the runtime's reserved namespace (RESERVED_PREFIX, any case, quoted or not) or the
// platform's `_cf_`. Parameters are always bound separately; nothing here builds SQL.

/** Prefix of the runtime's own tables and triggers in a database object: no user or guest SQL may name it. */
export const RESERVED_PREFIX = "_helios_";
/** Names the platform reserves (sql.exec refuses them too; refused here first with a clear reason). */
export const PLATFORM_PREFIX = "_cf_";
/** Longest SQL text accepted (sql.exec's own statement limit is 100 KB). */
export const MAX_SQL_BYTES = 100_000;

/** First keywords that are refused: transaction control (the runtime owns transactions), attaching, pragmas. */
const REFUSED_FIRST_WORDS = new Set(["begin", "commit", "end", "rollback", "savepoint", "release", "attach", "detach", "pragma", "vacuum"]);

export type SqlRefusalReason = "empty" | "multiple_statements" | "refused_statement" | "reserved_name" | "unterminated" | "too_long";

export interface SqlCheck {
  ok: boolean;
  reason?: SqlRefusalReason;
  message?: string;
  /** The statement's first keyword, lower case (e.g. "select", "insert", "with"). */
  firstWord?: string;
}

export type SqlTokenKind = "word" | "quoted" | "string" | "blob" | "number" | "parameter" | "semicolon" | "symbol";

export interface SqlToken {
  kind: SqlTokenKind;
  /** For words and quoted identifiers: the name as SQLite sees it (quotes removed, doubled quotes undone). */
  text: string;
  offset: number;
}

export class SqlTokenizeError extends Error {}

/** SQLite's tokens, skipping whitespace and comments. Throws SqlTokenizeError on an unterminated string or comment. */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f" || c === "\v") {
      i++;
    } else if (c === "-" && sql[i + 1] === "-") {
      const eol = sql.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === "/" && sql[i + 1] === "*") {
      const close = sql.indexOf("*/", i + 2);
      if (close < 0) throw new SqlTokenizeError(`unterminated comment at ${i}`);
      i = close + 2;
    } else if (c === "'") {
      const end = closeQuote(sql, i, "'");
      tokens.push({ kind: "string", text: sql.slice(i + 1, end).replaceAll("''", "'"), offset: i });
      i = end + 1;
    } else if (c === '"' || c === "`") {
      const end = closeQuote(sql, i, c);
      tokens.push({ kind: "quoted", text: sql.slice(i + 1, end).replaceAll(c + c, c), offset: i });
      i = end + 1;
    } else if (c === "[") {
      const end = sql.indexOf("]", i + 1);
      if (end < 0) throw new SqlTokenizeError(`unterminated identifier at ${i}`);
      tokens.push({ kind: "quoted", text: sql.slice(i + 1, end), offset: i });
      i = end + 1;
    } else if ((c === "x" || c === "X") && sql[i + 1] === "'") {
      const end = closeQuote(sql, i + 1, "'");
      tokens.push({ kind: "blob", text: sql.slice(i + 2, end), offset: i });
      i = end + 1;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(sql[j])) j++;
      tokens.push({ kind: "word", text: sql.slice(i, j), offset: i });
      i = j;
    } else if (isDigit(c) || (c === "." && isDigit(sql[i + 1] ?? ""))) {
      let j = i + 1;
      while (j < n && (isWordPart(sql[j]) || sql[j] === "." || ((sql[j] === "+" || sql[j] === "-") && /[eE]/.test(sql[j - 1])))) j++;
      tokens.push({ kind: "number", text: sql.slice(i, j), offset: i });
      i = j;
    } else if (c === "?" || c === ":" || c === "@" || c === "$") {
      let j = i + 1;
      while (j < n && isWordPart(sql[j])) j++;
      tokens.push({ kind: "parameter", text: sql.slice(i, j), offset: i });
      i = j;
    } else if (c === ";") {
      tokens.push({ kind: "semicolon", text: ";", offset: i });
      i++;
    } else {
      tokens.push({ kind: "symbol", text: c, offset: i });
      i++;
    }
  }
  return tokens;
}

/** Index of the quote that closes the one at `start` (a doubled quote is part of the text). */
function closeQuote(sql: string, start: number, quote: string): number {
  let i = start + 1;
  for (;;) {
    const at = sql.indexOf(quote, i);
    if (at < 0) throw new SqlTokenizeError(`unterminated ${quote === "'" ? "string" : "identifier"} at ${start}`);
    if (sql[at + 1] === quote) {
      i = at + 2;
      continue;
    }
    return at;
  }
}

function isDigit(c: string): boolean {
  return c >= "0" && c <= "9";
}

function isWordStart(c: string): boolean {
  return (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_" || c > "\x7f";
}

function isWordPart(c: string): boolean {
  return isWordStart(c) || isDigit(c) || c === "$";
}

/** Whether a name is the runtime's or the platform's (compared case-insensitively, as SQLite compares names). */
export function isReservedName(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith(RESERVED_PREFIX) || lower.startsWith(PLATFORM_PREFIX);
}

/** The check every user and guest statement passes before sql.exec sees it. */
export function checkUserSql(sql: string): SqlCheck {
  if (new TextEncoder().encode(sql).byteLength > MAX_SQL_BYTES) {
    return { ok: false, reason: "too_long", message: `SQL is longer than ${MAX_SQL_BYTES} bytes` };
  }
  let tokens: SqlToken[];
  try {
    tokens = tokenizeSql(sql);
  } catch (error) {
    return { ok: false, reason: "unterminated", message: (error as Error).message };
  }
  // Trailing semicolons end the statement; anything after the first one is a second statement.
  let last = tokens.length;
  while (last > 0 && tokens[last - 1].kind === "semicolon") last--;
  const body = tokens.slice(0, last);
  if (body.length === 0) return { ok: false, reason: "empty", message: "no SQL statement" };
  const separator = body.findIndex((t) => t.kind === "semicolon");
  if (separator >= 0) {
    return { ok: false, reason: "multiple_statements", message: `only one statement is allowed; a second one starts at offset ${body[separator].offset + 1}` };
  }
  const first = body[0];
  const firstWord = first.kind === "word" ? first.text.toLowerCase() : "";
  if (REFUSED_FIRST_WORDS.has(firstWord)) {
    return { ok: false, reason: "refused_statement", message: `${firstWord.toUpperCase()} is not allowed: the runtime owns transactions, attachments and pragmas`, firstWord };
  }
  for (const token of body) {
    if ((token.kind === "word" || token.kind === "quoted") && isReservedName(token.text)) {
      return { ok: false, reason: "reserved_name", message: `"${token.text}" is a reserved name (${RESERVED_PREFIX}* and ${PLATFORM_PREFIX}* belong to the runtime)`, firstWord };
    }
    // Table-valued pragma functions (pragma_table_info(...)) are pragmas by another name.
    if (token.kind === "word" && token.text.toLowerCase().startsWith("pragma_")) {
      return { ok: false, reason: "refused_statement", message: `${token.text} is a pragma and not allowed`, firstWord };
    }
  }
  return { ok: true, firstWord };
}
