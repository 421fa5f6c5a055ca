import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { LOCAL_API_HOST, outboundServer } from "./test/support/outbound-server.ts";
import { existsSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { buildDashboard, DASHBOARD_MODULE } from "./scripts/build-dashboard.mjs";

// The Worker imports the dashboard's generated module, so it must exist before the Workers pool bundles the Worker;
// `npm test` and the [build] command rebuild it, this covers a bare `npx vitest run`.
if (!existsSync(DASHBOARD_MODULE)) await buildDashboard();
// The same for the function scanner's WebAssembly accelerator, which the Worker imports (src/runtime/wasm-scanner.ts)
// and the unit tests register (test/support/wasm-scanner-setup.ts).
if (!existsSync("modules/build/scanner/scanner.wasm")) execFileSync(process.execPath, ["scripts/build-modules.mjs", "--only=scanner"], { stdio: "inherit" });

// Projects: "unit" runs plain-Node tests next to their code. Workers integration
// and end-to-end projects are added alongside as they land.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "test/unit/**/*.test.ts", "cli/**/*.test.mjs"],
          // Scans run in the WebAssembly accelerator, as in the Worker (its differential test covers both scanners).
          setupFiles: ["test/support/wasm-scanner-setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // Integration tests inside workerd (miniflare) against the real Worker: wrangler.toml's bindings, the
        // Durable Objects and the Worker Loader. Global setups build the sandbox bundle and provide guest bytes.
        plugins: [
          cloudflareTest({
            wrangler: { configPath: "./wrangler.toml" },
            // Every global fetch() of the Worker goes to a handler in Node: the guests' "outside world".
            miniflare: {
              // The operator lets functions reach one private "local API" (a deployer cannot); see outbound-server.ts.
              bindings: {
                HELIOS_TOKEN: "test-token",
                HELIOS_OUTBOUND_ALLOW_PRIVATE: LOCAL_API_HOST,
                // A fixed AES-256 key for function secrets (base64 of 32 bytes), as `npm start` writes into .dev.vars.
                HELIOS_SECRETS_KEY: "dGVzdC1zZWNyZXRzLWtleS0zMi1ieXRlcy1sb25nISE=",
                // Regions recheck their deployments every 200 ms (default 10 s), so the catch-up test need not wait long.
                HELIOS_DEPLOYMENT_RECHECK_MS: "200",
              },
              outboundService: outboundServer,
            },
          }),
        ],
        test: {
          name: "workers",
          include: ["test/integration/**/*.test.ts"],
          globalSetup: ["test/integration/runtime-global-setup.ts", "test/integration/api-global-setup.ts"],
          testTimeout: 60_000,
        },
      },
      {
        // End to end: starts the real local server exactly as `npm start` does (scripts/start.mjs, on a free port
        // with a fresh state directory) and drives it over HTTP from Node.
        test: {
          name: "e2e",
          environment: "node",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
      {
        // The dashboard in a real browser: Debian's Chromium driven by playwright-core against one real local
        // server (started by the global setup, as npm start does). One file at a time: each drives a browser.
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 240_000,
        },
      },
    ],
  },
});
