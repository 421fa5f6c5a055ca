// Tables of a database object that are not the user's: the runtime's (_helios_*), the platform's (_cf_*), SQLite's
// own (sqlite_*), and `__miniflare_do_name`, where the local dev server (Miniflare, under `npm start` and the tests)
// keeps the object's name so ctx.id.name works locally; workerd on Cloudflare has no such table. The row API never
// reaches them and GET .../databases/:db does not list them.

import { isReservedName } from "./sql-statement.ts";

const LOCAL_PLATFORM_TABLES = new Set(["__miniflare_do_name"]);

export function isHiddenTable(name: string): boolean {
  const lower = name.toLowerCase();
  return isReservedName(name) || lower.startsWith("sqlite_") || LOCAL_PLATFORM_TABLES.has(lower);
}
