// The typed client of the HTTP API: Hono's `hc` over the chained, declared routes (src/api/routes/index.ts), so
// paths, parameters, query, JSON bodies and JSON answers are checked by TypeScript. For TypeScript callers (the tests,
// scripts, other Workers); it imports only types from the routes, so it carries none of the server.
//
//   const api = heliosClient("http://127.0.0.1:8787", { token });
//   const res = await api.v1.functions[":name"].$get({ param: { name: "hello" } });
//   if (res.status === 200) console.log((await res.json()).function.version);

import { hc } from "hono/client";
import type { ApiRoutes } from "./routes/index.ts";

export type HeliosClient = ReturnType<typeof hc<ApiRoutes>>;

export interface HeliosClientOptions {
  /** The admin token or a scoped token, sent as `Authorization: Bearer`. */
  token?: string;
  /** Another fetch (a service binding's, or vitest-pool-workers' SELF.fetch). */
  fetch?: typeof fetch;
}

export function heliosClient(baseUrl: string, options: HeliosClientOptions = {}): HeliosClient {
  return hc<ApiRoutes>(baseUrl, {
    fetch: options.fetch,
    headers: options.token === undefined ? undefined : { authorization: `Bearer ${options.token}` },
  });
}
