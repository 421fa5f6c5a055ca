// HTTP layer: the Hono app (routes, auth, request parsing) and the one error-to-status mapping.
export { createApp } from "./app.ts";
export { STATUS_BY_CODE, errorResponse } from "./error-response.ts";
export * from "./errors.ts";
export { DEPLOY_SETTINGS } from "./deploy-request.ts";
export { FUNCTION_NAME, parseManifest, type DeployManifest } from "./manifest.ts";
export { MAX_MODULE_BYTES, STRUCTURAL_LIMITS } from "../services/module-policy.ts";
export { heliosClient, type HeliosClient, type HeliosClientOptions } from "./client.ts";
