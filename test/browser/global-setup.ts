// Starts one real local server for every browser test file (scripts/start.mjs with the example functions, as
// `npm start` does; a fresh state directory and token) and hands its URL and token to the tests.

import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";
import { startLocalServer } from "../e2e/local-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    dashboardUrl: string;
    dashboardToken: string;
  }
}

export default async function setup(project: TestProject) {
  const server = await startLocalServer({ args: ["--log-level", "warn"] });
  project.provide("dashboardUrl", server.baseUrl);
  project.provide("dashboardToken", server.token);
  return async () => {
    await server.stop();
    rmSync(server.stateDir, { recursive: true, force: true });
  };
}
