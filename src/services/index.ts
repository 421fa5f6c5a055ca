// Service layer: what the HTTP API does with state (deploys and deployments, invocations' cold path, databases, rows,
// trigger registrations), between the state objects (src/regions, src/registry, src/database) and the routes
// (src/api), which only parse and answer.
export * from "./database-service.ts";
export * from "./deploy-errors.ts";
export * from "./deploy-service.ts";
export * from "./errors.ts";
export * from "./invocation-service.ts";
export * from "./row-service.ts";
export * from "./trigger-service.ts";
export * from "./secret-service.ts";
export * from "./token-service.ts";
export * from "./observation-service.ts";
export * from "./prometheus-text.ts";
export * from "./change-service.ts";
export * from "./snapshot-service.ts";
export * from "./subscription-service.ts";
