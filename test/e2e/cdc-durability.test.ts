// Subscriptions survive real crashes: the local server (and its workerd) SIGKILLed in the middle of delivery and
// restarted on the same persisted state, three times (test/e2e/cdc-crash-scenario.ts; `npm run soak` does 20).

import { describe, expect, it } from "vitest";
import { runCrashScenario } from "./cdc-crash-scenario.ts";

describe("subscriptions across SIGKILL", () => {
  it("deliver every committed seq at least once, in order, the cursor never going back, nothing rolled back", async () => {
    const report = await runCrashScenario({ kills: 3, writesPerRound: 30 });
    expect(report.committed).toBeGreaterThan(60);
    expect(report.missing).toEqual([]);
    expect(report.outOfOrder).toEqual([]);
    expect(report.cursorWentBack).toEqual([]);
    expect(report.rolledBackDelivered).toBe(0);
    expect(report.phantom).toEqual([]);
    expect(report.deliveries).toBe(report.committed + report.duplicates);
  }, 300_000);
});
