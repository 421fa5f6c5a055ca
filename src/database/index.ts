// Database layer: per-region database objects, their migrations, and the check every user statement passes.

export * from "./database-object.ts";
export * from "./database-schema.ts";
export * from "./sql-statement.ts";
export * from "./database-marker.ts";
export * from "./database-names.ts";
export * from "./database-stub.ts";
export * from "./row-statements.ts";
export * from "./sql-values.ts";
export * from "./table-info.ts";
export * from "./trigger-registry.ts";
export * from "./row-cursor.ts";
export * from "./hidden-tables.ts";
export * from "./subscription-spec.ts";
export type { SubscriptionView, DeadLetterView, Outcome } from "./subscription-registry.ts";
export { lowestCursor } from "./subscription-store.ts";
