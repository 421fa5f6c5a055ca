// Service layer: what the HTTP API does with state (databases, rows, trigger registrations), between the state
// objects (src/database, src/registry) and the routes (src/api), which only parse and answer.
export * from "./database-service.ts";
export * from "./errors.ts";
export * from "./row-service.ts";
export * from "./trigger-service.ts";
export * from "./secret-service.ts";
export * from "./token-service.ts";
export * from "./observation-service.ts";
export * from "./prometheus-text.ts";
