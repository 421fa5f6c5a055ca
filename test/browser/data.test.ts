// Regions, databases and deploy in Chromium against the real local server: the regions with their roles, a table
// browsed page by page, a SQL query with a bound parameter (and a refused one with the API's code), the example
// database's trigger, and a module deployed by drag and drop with its sha256 (and a refused one's diagnostics).

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, launch, openPage, screenshot, signIn, visit } from "./browser.ts";

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
const example = (name: string) => readFileSync(join(import.meta.dirname, "..", "..", "modules", "build", "examples", `${name}.wasm`));

async function sql(db: string, statement: string, params: unknown[] = []) {
  const response = await api(`/v1/regions/wnam/databases/${db}/sql`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ sql: statement, params }) });
  return { status: response.status, body: (await response.json()) as { error?: { code: string; message: string } } };
}

/** Drops `files` on the element as a user dragging them from the desktop would (a DataTransfer with File objects). */
async function dropFiles(target: string, files: { name: string; bytes: Buffer; type: string }[]) {
  const transfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.type }));
    return dt;
  }, files.map((f) => ({ name: f.name, bytes: [...f.bytes], type: f.type })));
  await page.dispatchEvent(target, "dragover", { dataTransfer: transfer });
  await page.dispatchEvent(target, "drop", { dataTransfer: transfer });
}

describe("regions", () => {
  it("lists the configured regions with the default and their functions", async () => {
    const { regions, default: byDefault } = (await (await api("/v1/regions")).json()) as { regions: { name: string }[]; default: string };
    await visit(page, "#/regions");
    await page.locator(`tr[data-region="${byDefault}"]`).waitFor();
    expect(await page.locator("tr[data-region]").count()).toBe(regions.length);
    expect(await page.locator(`tr[data-region="${byDefault}"] td`).first().textContent()).toContain("default");
    expect(Number(await page.locator(`tr[data-region="${byDefault}"] [data-cell="functions"]`).textContent())).toBeGreaterThan(5);
    await screenshot(page, "regions");
  });
});

describe("databases", () => {
  it("browses a table page by page", async () => {
    const db = unique("dash-db");
    expect((await api(`/v1/regions/wnam/databases/${db}`, { method: "PUT" })).status).toBe(201);
    expect((await sql(db, "CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL)")).status).toBe(200);
    const insert = "INSERT INTO items (id, label) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30) SELECT i, 'item ' || i FROM n";
    expect((await sql(db, insert)).status).toBe(200);
    await visit(page, `#/databases/wnam/${db}`);
    const rows = page.getByRole("region", { name: "Rows of items" });
    await rows.locator("tbody tr").first().waitFor();
    expect(await page.locator('tr[data-table="items"] td.num').textContent()).toBe("30");
    expect(await rows.locator("tbody tr").count()).toBe(25);
    expect(await rows.locator("tbody tr").first().textContent()).toBe("1item 1");
    await screenshot(page, "database");
    await rows.getByRole("button", { name: "Next page" }).click();
    await expect.poll(() => rows.locator("tbody tr").first().textContent()).toBe("26item 26");
    expect(await rows.locator("tbody tr").count()).toBe(5);
    expect(await rows.getByRole("button", { name: "Next page" }).isDisabled()).toBe(true);
    await rows.getByRole("button", { name: "Previous page" }).click();
    await expect.poll(() => rows.locator("tbody tr").first().textContent()).toBe("1item 1");
  });

  it("runs a SQL query with a parameter, and shows a refused statement's code and message", async () => {
    await visit(page, "#/databases/wnam/shop");
    await page.getByLabel("Statement").fill("SELECT sku, quantity FROM stock WHERE sku = ?");
    await page.getByLabel(/^Parameters/).fill('["A1"]');
    await page.getByRole("button", { name: "Run" }).click();
    const result = page.getByRole("table", { name: "Query result" });
    await result.waitFor();
    expect(await result.locator("thead th").allTextContents()).toEqual(["sku", "quantity"]);
    expect(await result.locator("tbody tr").first().locator("td").first().textContent()).toBe("A1");
    expect(await page.locator("[data-sql-stats]").textContent()).toMatch(/^1 rows · \d+ read · 0 written$/);
    await screenshot(page, "database-sql");

    await page.getByLabel("Statement").fill("SELEC nonsense");
    await page.getByLabel(/^Parameters/).fill("[]");
    await page.getByRole("button", { name: "Run" }).click();
    const refused = await sql("shop", "SELEC nonsense");
    expect(refused.status).toBeGreaterThanOrEqual(400);
    await expect.poll(() => page.locator(".sql .error-code").textContent()).toBe(refused.body.error!.code);
    expect(await page.locator(".sql .error-message").textContent()).toBe(refused.body.error!.message);
  });

  it("shows the example database's BEFORE trigger", async () => {
    await visit(page, "#/databases/wnam/shop");
    const trigger = page.locator('[data-trigger="validate-order"]');
    await trigger.waitFor();
    expect(await trigger.textContent()).toContain("before insert/update on orders");
  });
});

describe("deploy", () => {
  it("deploys a module dropped with its manifest, showing its sha256, and lists the new function", async () => {
    const name = unique("dash-drop");
    const bytes = example("hello");
    await visit(page, "#/deploy");
    await dropFiles('[data-testid="drop-zone"]', [
      { name: "hello.wasm", bytes, type: "application/wasm" },
      { name: "helios.json", bytes: Buffer.from(JSON.stringify({ regions: ["wnam"], config: { from: "dashboard" } })), type: "application/json" },
    ]);
    await page.locator("[data-sha256]").waitFor();
    expect(await page.locator("[data-sha256]").getAttribute("data-sha256")).toBe(createHash("sha256").update(bytes).digest("hex"));
    expect(await page.getByLabel(/^Manifest/).inputValue()).toContain('"dashboard"');
    await page.getByLabel("Function name").fill(name);
    await page.getByRole("button", { name: "Deploy" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain(`Deployed ${name} v1`);
    const deployed = (await (await api(`/v1/functions/${name}`)).json()) as { function: { regions: string[]; config: Record<string, string> } };
    expect(deployed.function).toMatchObject({ regions: ["wnam"], config: { from: "dashboard" } });
    await screenshot(page, "deploy");
    // The same drop again changes nothing.
    await page.getByRole("button", { name: "Deploy" }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toContain(`Unchanged: ${name} v1`);
  });

  it("shows every diagnostic of a refused deploy", async () => {
    await visit(page, "#/deploy");
    await dropFiles('[data-testid="drop-zone"]', [{ name: "c-echo.wasm", bytes: example("c-echo"), type: "application/wasm" }]);
    await page.locator("[data-sha256]").waitFor();
    await page.getByLabel("Function name").fill(unique("dash-refused"));
    await page.getByRole("button", { name: "Deploy" }).click();
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.locator(".error-code").textContent()).toBe("policy_violation");
    expect(await alert.locator('li[data-rule="capability_missing"]').count()).toBeGreaterThan(0);
    expect(await alert.textContent()).toContain("wasi");
    await screenshot(page, "deploy-refused");
  });
});
