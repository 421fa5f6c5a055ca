// Soak test of subscription durability: the crash scenario of test/e2e/cdc-crash-scenario.ts with 20 SIGKILLs of
// the real local server in the middle of delivery (the e2e test runs 3). Prints what was delivered, the duplicates
// (redeliveries after a crash: at least once) and the worst and median lag from commit to delivery (a batch in
// flight at a kill waits for the restart). Exits non-zero when a guarantee was broken.
//   node scripts/soak-cdc.mjs [--kills N] [--writes N]

import { importTypeScript } from "./lib/bench-support.mjs";

const arg = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : Number(process.argv[at + 1]);
};
const kills = arg("--kills", 20);
const writesPerRound = arg("--writes", 40);

const { runCrashScenario } = await importTypeScript("soak-cdc", [`export { runCrashScenario } from "./test/e2e/cdc-crash-scenario.ts";`], { external: true });
const started = Date.now();
const report = await runCrashScenario({ kills, writesPerRound, log: (line) => console.log(line) });
console.log(`\nsoak-cdc: ${report.kills} kills in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`committed seqs        ${report.committed}`);
console.log(`deliveries            ${report.deliveries}`);
console.log(`duplicates            ${report.duplicates}`);
console.log(`missing               ${report.missing.length}${report.missing.length ? ` (${report.missing.slice(0, 20).join(", ")})` : ""}`);
console.log(`out of order          ${report.outOfOrder.length}${report.outOfOrder.length ? ` (${report.outOfOrder.slice(0, 5).join("; ")})` : ""}`);
console.log(`cursor went back      ${report.cursorWentBack.length}`);
console.log(`rolled back delivered ${report.rolledBackDelivered}`);
console.log(`phantom rows          ${report.phantom.length}`);
console.log(`lag commit->delivery  p50 ${report.p50LagMs} ms, worst ${report.worstLagMs} ms (kills included)`);
const broken = report.missing.length + report.outOfOrder.length + report.cursorWentBack.length + report.rolledBackDelivered + report.phantom.length;
process.exit(broken === 0 ? 0 : 1);
