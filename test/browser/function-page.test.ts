// A function's page in Chromium against the real local server: the invoke playground shows the output and the
// fuel, a log line appears in the live tail (markup in it stays text and runs nothing), the level filter holds back
// lower levels, a rollback behind its confirmation changes what is served, and the metrics are charted.

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, deployExample, launch, openPage, screenshot, signIn, visit } from "./browser.ts";

let browser: Browser;
let page: Page;
beforeAll(async () => {
  browser = await launch();
  page = (await openPage(browser)).page;
  await signIn(page);
  await page.getByRole("navigation", { name: "Main" }).waitFor();
});
afterAll(async () => {
  await browser?.close();
});

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

describe("function page", () => {
  it("invokes a function from the playground and shows its output, fuel and duration", async () => {
    await visit(page, "#/functions/hello/invoke");
    await page.getByLabel("Body").fill("Ada");
    await page.getByRole("button", { name: "Invoke" }).click();
    const body = page.getByTestId("response-body");
    await expect.poll(() => body.textContent()).toBe("Hello, Ada!");
    expect(await page.locator("[data-status]").getAttribute("data-status")).toBe("200");
    const fuel = Number(await page.locator('[data-usage="Fuel"] dd').textContent());
    expect(fuel).toBeGreaterThan(0);
    expect(Number(await page.locator('[data-usage="Duration (ms)"] dd').textContent())).toBeGreaterThanOrEqual(0);
    expect(await page.locator('[data-usage="Version"] dd').textContent()).toMatch(/^\d+$/);
    await screenshot(page, "function-invoke");
  });

  it("shows the API's code and message when the invocation is refused", async () => {
    await visit(page, "#/functions/spin/invoke");
    await page.getByRole("button", { name: "Invoke" }).click();
    await expect.poll(() => page.locator("[data-status]").getAttribute("data-status")).toBe("422");
    expect(await page.locator(".answer .error-code").textContent()).toBe("out_of_fuel");
  });

  it("shows a new log line in the live tail as text, and filters by level", async () => {
    const name = unique("dash-logs");
    await deployExample(name, "logger", { "x-helios-regions": "wnam" });
    await visit(page, `#/functions/${name}/logs`);
    await expect.poll(() => page.getByRole("status").filter({ hasText: /Live|Not connected/ }).textContent()).toBe("Live");
    const markup = `<img src="data:," onerror="window.__pwned = true"><script>window.__pwned = true</script> tail-marker`;
    expect((await api(`/v1/functions/${name}/invoke`, { method: "POST", body: `warn: ${markup}` })).status).toBe(200);
    const line = page.locator(".log-line", { hasText: "tail-marker" });
    await line.waitFor({ timeout: 20_000 });
    expect(await line.locator(".log-message").textContent()).toBe(markup);
    expect(await line.getAttribute("data-level")).toBe("warn");
    expect(await page.locator(".log-lines img, .log-lines script").count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned ?? false)).toBe(false);
    await screenshot(page, "function-logs");

    await page.getByLabel("Level").selectOption("error");
    // The view reopens: the warn line goes (it is below the filter), then the new tail is live.
    await expect.poll(() => page.locator(".log-line", { hasText: "tail-marker" }).count()).toBe(0);
    await expect.poll(() => page.getByRole("status").filter({ hasText: /Live|Not connected/ }).textContent()).toBe("Live");
    await api(`/v1/functions/${name}/invoke`, { method: "POST", body: "info: quiet-line\nerror: loud-line" });
    await page.locator(".log-line", { hasText: "loud-line" }).waitFor({ timeout: 20_000 });
    expect(await page.locator(".log-line", { hasText: "quiet-line" }).count()).toBe(0);
  });

  it("rolls back to an earlier version after confirming, and shows what each version serves", async () => {
    const name = unique("dash-roll");
    await deployExample(name, "hello", { "x-helios-regions": "wnam" });
    const second = await deployExample(name, "hello", { "x-helios-regions": "wnam", "x-helios-config": '{"release":"2"}' });
    expect(second.function.version).toBe(2);
    await visit(page, `#/functions/${name}`);
    const v1 = page.locator('tr[data-version="1"]');
    await v1.waitFor();
    expect(await page.locator('tr[data-version="2"] [data-cell="serves"]').textContent()).toBe("default");
    await v1.getByRole("button", { name: "Roll back to v1" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("Roll back");
    // Cancelling changes nothing.
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(((await (await api(`/v1/functions/${name}`)).json()) as { function: { version: number } }).function.version).toBe(2);
    await v1.getByRole("button", { name: "Roll back to v1" }).click();
    await screenshot(page, "function-rollback-confirm");
    await page.getByRole("dialog").getByRole("button", { name: "Roll back to v1" }).click();
    await expect.poll(() => v1.locator('[data-cell="serves"]').textContent()).toBe("default");
    expect(await page.locator('tr[data-version="2"] [data-cell="serves"]').textContent()).toBe("—");
    expect(await page.getByRole("status").filter({ hasText: "Rolled back" }).textContent()).toContain("v1 now serves");
    expect(((await (await api(`/v1/functions/${name}`)).json()) as { function: { version: number } }).function.version).toBe(1);
    await screenshot(page, "function-overview");
  });

  it("charts invocations, errors, fuel and duration over time", async () => {
    const name = unique("dash-metrics");
    await deployExample(name, "trap", { "x-helios-regions": "wnam" });
    for (let i = 0; i < 3; i++) await api(`/v1/functions/${name}/invoke`, { method: "POST", body: "x" });
    await visit(page, `#/functions/${name}/metrics`);
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        return page.locator("[data-total-invocations]").getAttribute("data-total-invocations");
      }, { timeout: 60_000, interval: 500 })
      .toBe("3");
    // The charts draw after the totals: wait for the last one rather than count at once (a loaded machine is slower).
    await page.locator(".chart canvas").nth(3).waitFor({ timeout: 20_000 });
    expect(await page.locator(".chart canvas").count()).toBe(4);
    await page.getByRole("img", { name: /^Errors per minute by code\. guest_trap: max 3/ }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole("img", { name: /^Errors per minute by code\. guest_trap: max 3/ }).count()).toBe(1);
    await screenshot(page, "function-metrics");
  });
});
