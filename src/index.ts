// Worker entry: the HTTP API plus the Durable Object classes wrangler.toml binds.

import { createApp } from "./api/index.ts";
import type { Env } from "./env.ts";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;

export { RegistryObject } from "./registry/index.ts";
export { RegionObject } from "./regions/index.ts";
export { DatabaseObject } from "./database/index.ts";
export { ObservationObject } from "./observe/index.ts";
export { InvocationQueueObject } from "./invocations/index.ts";
