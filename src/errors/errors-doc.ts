// Renders the catalogue as the table in docs/errors.md (between the markers below). `npm run docs:errors`
// rewrites the file; src/api/error-catalogue.test.ts fails while the committed table differs.

import { ERROR_CATALOGUE, ERROR_CODES, type ErrorSpec } from "./catalogue.ts";

export const TABLE_START = "<!-- error table: generated from src/errors/catalogue.ts by `npm run docs:errors` -->";
export const TABLE_END = "<!-- end of error table -->";

export function renderErrorTable(): string {
  const header = ["| code | status | when | extra fields | raised by |", "| --- | --- | --- | --- | --- |"];
  const rows = ERROR_CODES.map((code) => {
    const spec: ErrorSpec = ERROR_CATALOGUE[code];
    const fields = Object.entries(spec.fields).map(([name, f]) => `\`${name}\`${f.optional ? "?" : ""}`);
    const raisedBy = spec.class === null ? "—" : `\`${spec.class}\` (src/${spec.layer})`;
    const when = spec.guestOnly ? `host-call refusal, returned to the guest as a negative code: ${spec.when}` : spec.when;
    return `| \`${code}\` | ${spec.status} | ${when} | ${fields.join(", ") || "—"} | ${raisedBy} |`;
  });
  return [TABLE_START, ...header, ...rows, TABLE_END].join("\n");
}

/** The document with its table replaced by the current rendering. */
export function withErrorTable(doc: string): string {
  const start = doc.indexOf(TABLE_START);
  const end = doc.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error("docs/errors.md has no generated-table markers");
  return doc.slice(0, start) + renderErrorTable() + doc.slice(end + TABLE_END.length);
}
