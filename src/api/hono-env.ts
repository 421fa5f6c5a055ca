// The Hono environment type shared by every route.

import type { Env } from "../env.ts";
import type { Principal } from "./auth.ts";

export interface HonoEnv {
  Bindings: Env;
  /** Set by `authenticate` (auth.ts) before any route runs. */
  Variables: { principal: Principal };
}
