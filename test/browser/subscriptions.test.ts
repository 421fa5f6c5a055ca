// Subscriptions in Chromium against the real local server: a change the subscribed function failed on shows up as
// a dead letter with the function's error; after the function is fixed, replaying it (behind a confirmation)
// delivers it and it leaves the list; discarding another drops it. Lag, cursor and head are shown.

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

const json = (body: unknown) => ({ headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!check(value) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 250));
    value = await read();
  }
  return value;
}

describe("subscriptions", () => {
  it("shows a dead-lettered change, replays it once the function is fixed, and discards another", async () => {
    const id = Date.now().toString(36);
    const [db, fn, sub] = [`dash-cdc-${id}`, `dash-sink-${id}`, "audit"];
    const base = `/v1/regions/wnam/databases/${db}`;
    expect((await api(base, { method: "PUT" })).status).toBe(201);
    expect((await api(`${base}/sql`, { method: "POST", ...json({ sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)", params: [] }) })).status).toBe(200);
    await deployExample(fn, "trap", { "x-helios-regions": "wnam" });
    const created = await api(`${base}/subscriptions/${sub}`, { method: "PUT", ...json({ function: fn, maxAttempts: 1, batchSize: 1 }) });
    expect(created.status).toBe(201);
    for (const body of ["first", "second"]) {
      expect((await api(`${base}/tables/notes/rows`, { method: "POST", ...json({ body }) })).status).toBe(201);
    }
    type Letters = { deadLetters: { id: string; seq: number }[] };
    const letters = await eventually(async () => (await (await api(`${base}/subscriptions/${sub}/dead-letters`)).json()) as Letters, (l) => l.deadLetters.length === 2);
    expect(letters.deadLetters).toHaveLength(2);
    const [first, second] = [letters.deadLetters[0]!, letters.deadLetters[1]!];

    await visit(page, `#/subscriptions/wnam/${db}/${sub}`);
    const row = page.locator(`tr[data-dead-letter="${first.id}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("guest_trap");
    expect(await row.textContent()).toContain("first");
    expect(await page.locator(`tr[data-subscription="${sub}"] [data-cell="dead-letters"]`).textContent()).toBe("2");
    expect(await page.locator('[data-field="Head"]').textContent()).toMatch(/^\d+$/);
    await screenshot(page, "subscription-dead-letters");

    // The operator fixes the function, then replays the change it failed on.
    await deployExample(fn, "hello", { "x-helios-regions": "wnam" });
    await row.getByRole("button", { name: `Replay ${first.id}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: `Replay ${first.id}` }).click();
    await expect.poll(() => page.getByRole("status").filter({ hasText: "queued for replay" }).count()).toBe(1);
    const after = await eventually(async () => (await (await api(`${base}/subscriptions/${sub}/dead-letters`)).json()) as Letters, (l) => !l.deadLetters.some((d) => d.id === first.id));
    expect(after.deadLetters.map((d) => d.id)).toEqual([second.id]);
    await page.getByRole("button", { name: "Refresh dead letters" }).click();
    await expect.poll(() => row.count()).toBe(0);

    const other = page.locator(`tr[data-dead-letter="${second.id}"]`);
    await other.getByRole("button", { name: `Discard ${second.id}` }).click();
    await page.getByRole("dialog").getByRole("button", { name: `Discard ${second.id}` }).click();
    await expect.poll(() => other.count()).toBe(0);
    expect(((await (await api(`${base}/subscriptions/${sub}/dead-letters`)).json()) as Letters).deadLetters).toEqual([]);
    await screenshot(page, "subscription");
  });
});
