// Drives Debian's Chromium (/usr/bin/chromium, the apt package `chromium`) with playwright-core against the local
// server the global setup started; screenshots go to test-artifacts/screenshots/ (gitignored), one per view.

import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { inject } from "vitest";

export const CHROMIUM = process.env.HELIOS_CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = join(import.meta.dirname, "..", "..", "test-artifacts", "screenshots");

export const baseUrl = () => inject("dashboardUrl");
export const token = () => inject("dashboardToken");

export async function launch(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where Chromium's own sandbox cannot start.
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
}

/** A fresh context (its own sessionStorage) and page; `narrow` is a phone-sized viewport. */
export async function openPage(browser: Browser, options: { narrow?: boolean } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: options.narrow ? { width: 390, height: 800 } : { width: 1280, height: 900 } });
  const page = await context.newPage();
  return { context, page };
}

/** Opens the dashboard (a fragment route, e.g. "#/functions/hello") and waits until its first view is interactive. */
export async function visit(page: Page, route = ""): Promise<void> {
  await page.goto(`${baseUrl()}/${route}`);
  await page.waitForSelector("html[data-ready=true]");
}

/** Signs in through the form with `withToken` (default: the server's admin token). */
export async function signIn(page: Page, withToken = token()): Promise<void> {
  await visit(page);
  await page.getByLabel("API token").fill(withToken);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The API over HTTP with the admin token (setting up what a test then looks at in the browser). */
export async function api(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseUrl()}${path}`, { ...init, headers: { authorization: `Bearer ${token()}`, ...(init.headers as Record<string, string>) } });
}

/** Deploys a built example module under `name` (raw upload, settings as x-helios-* headers); the answer's JSON. */
export async function deployExample(name: string, example: string, headers: Record<string, string> = {}): Promise<{ function: { version: number } }> {
  const bytes = readFileSync(join(import.meta.dirname, "..", "..", "modules", "build", "examples", `${example}.wasm`));
  const response = await api(`/v1/functions/${name}`, {
    method: "PUT",
    body: bytes,
    headers: { "content-type": "application/wasm", "x-helios-sha256": createHash("sha256").update(bytes).digest("hex"), ...headers },
  });
  if (response.status >= 300) throw new Error(`deploy ${name}: ${response.status} ${await response.text()}`);
  return (await response.json()) as { function: { version: number } };
}
