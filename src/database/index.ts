// Database layer: per-region database objects, their migrations, and the check every user statement passes.

export * from "./database-object.ts";
export * from "./database-schema.ts";
export * from "./sql-statement.ts";
