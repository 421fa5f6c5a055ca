// The API's route groups: management (token), invocation (hot path), and public service routes.
export { fnRoutes } from "./fn.ts";
export { functionRoutes } from "./functions.ts";
export { invokeRoutes } from "./invoke.ts";
export { systemRoutes } from "./system.ts";
export { databaseRoutes } from "./databases.ts";
export { secretRoutes } from "./secrets.ts";
export { tokenRoutes } from "./tokens.ts";
export { observationRoutes } from "./observations.ts";
