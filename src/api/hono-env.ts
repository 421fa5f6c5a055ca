// The Hono environment type shared by every route.

import type { Env } from "../env.ts";

export interface HonoEnv {
  Bindings: Env;
}
