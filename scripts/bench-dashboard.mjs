// The dashboard's first view against the local server (`npm start`'s way of serving), in Debian's Chromium driven by
// playwright-core, a fresh browser context (empty cache) per sample:
//   - sign-in interactive: navigation start to the app mounted (html[data-ready]) for a signed-out visitor;
//   - functions interactive: navigation start to the functions table rendered for a signed-in tab (the token in
//     sessionStorage, as after a sign-in), which includes the API's GET /v1/functions;
//   - baseline: navigation start to load of GET /healthz (a few bytes of JSON from the Worker) in the same browser,
//     what any page from this server costs at least.
// Reports medians, the ratio to the baseline, and the bundle size (what the first view downloads, raw and gzipped).
// Target: the functions list interactive in under 1 s.
//
//   node scripts/bench-dashboard.mjs [--quick]

import { rmSync } from "node:fs";
import { chromium } from "playwright-core";
import { buildDashboard } from "./build-dashboard.mjs";
import { startLocalServer } from "./bench-local-server.mjs";
import { median } from "./lib/bench-support.mjs";

const quick = process.argv.includes("--quick");
const SAMPLES = quick ? 3 : 15;
const TARGET_MS = 1000;

async function sample(browser, url, ready, init) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  if (init) await context.addInitScript(init.script, init.arg);
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "commit" });
  // performance.now() counts from the navigation's start, so this is the page's own clock, not the driver's.
  const ms = await (await page.waitForFunction(ready, undefined, { polling: "raf" })).jsonValue();
  await context.close();
  return ms;
}

async function main() {
  const server = await startLocalServer();
  const browser = await chromium.launch({ executablePath: process.env.HELIOS_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox"] });
  try {
    const signedIn = { script: (token) => sessionStorage.setItem("helios.token", token), arg: server.token };
    const runs = { baseline: [], signIn: [], functions: [] };
    // One warm-up of each, so the Worker's own first-request costs are not in the samples.
    await sample(browser, `${server.baseUrl}/`, () => document.querySelector("tr[data-function]") && performance.now(), signedIn);
    for (let i = 0; i < SAMPLES; i++) {
      runs.baseline.push(await sample(browser, `${server.baseUrl}/healthz`, () => document.readyState === "complete" && performance.now()));
      runs.signIn.push(await sample(browser, `${server.baseUrl}/`, () => document.documentElement.dataset.ready === "true" && performance.now()));
      runs.functions.push(await sample(browser, `${server.baseUrl}/`, () => document.querySelector("tr[data-function]") && performance.now(), signedIn));
    }
    // The same build the server bundled (unchanged bytes are not rewritten): its size is what a first view downloads.
    const size = await buildDashboard();
    const [baseline, signIn, functions] = [runs.baseline, runs.signIn, runs.functions].map(median);
    console.log(`bench-dashboard (${quick ? "quick" : "full"}: ${SAMPLES} samples, median; fresh context each; local server, Chromium)`);
    console.log(`  baseline GET /healthz loaded      ${baseline.toFixed(1)} ms`);
    console.log(`  sign-in interactive               ${signIn.toFixed(1)} ms  (${(signIn / baseline).toFixed(1)}x baseline)`);
    console.log(`  functions list interactive        ${functions.toFixed(1)} ms  (${(functions / baseline).toFixed(1)}x baseline; target < ${TARGET_MS} ms: ${functions < TARGET_MS ? "met" : "MISSED"})`);
    console.log(`  bundle (index.html + app.js + app.css) ${size.raw} bytes, ${size.gzip} gzipped`);
  } finally {
    await browser.close();
    await server.stop();
    rmSync(server.stateDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(`bench-dashboard failed: ${error.stack ?? error}`);
  process.exit(1);
});
