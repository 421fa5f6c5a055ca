// The dashboard's shell in Chromium against the real local server: signed out only the sign-in shows, a wrong
// token is refused with the API's code and message, signing in lists the example functions with their metrics,
// and the Content-Security-Policy keeps injected markup from running script.

import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, baseUrl, launch, openPage, screenshot, signIn, token, visit } from "./browser.ts";

let browser: Browser;
beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

async function fresh(narrow = false): Promise<Page> {
  return (await openPage(browser, { narrow })).page;
}

describe("dashboard shell", () => {
  it("serves the dashboard at / with a strict CSP, while the API keeps its routes", async () => {
    const page = await fetch(`${baseUrl()}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(page.headers.get("x-frame-options")).toBe("DENY");
    const script = await fetch(`${baseUrl()}/app.js`);
    expect(script.headers.get("content-type")).toMatch(/javascript/);
    expect(script.headers.get("content-security-policy")).toBe(csp);
    // The API is not shadowed: its JSON answers, its 404 for an unknown path (no SPA fallback to index.html).
    expect((await fetch(`${baseUrl()}/healthz`)).status).toBe(200);
    const unknown = await fetch(`${baseUrl()}/no-such-page`, { headers: { "sec-fetch-mode": "navigate", accept: "text/html" } });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("shows only the sign-in when signed out, whatever the route", async () => {
    const page = await fresh();
    for (const route of ["", "#/functions", "#/functions/hello"]) {
      await visit(page, route);
      await expect.poll(() => page.getByLabel("API token").isVisible()).toBe(true);
      expect(await page.getByRole("navigation").count()).toBe(0);
      expect(await page.locator("table").count()).toBe(0);
    }
    await screenshot(page, "sign-in");
  });

  it("refuses a wrong token with the API's code and message, and keeps nothing", async () => {
    const page = await fresh();
    await signIn(page, "not-the-token");
    const alert = page.getByRole("alert");
    await expect.poll(() => alert.textContent()).toMatch(/^unauthorized /);
    const refused = await api("/v1/functions", { headers: { authorization: "Bearer not-the-token" } });
    const { error } = (await refused.json()) as { error: { code: string; message: string } };
    expect(await page.locator(".error-message").textContent()).toBe(error.message);
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    expect(await page.getByRole("navigation").count()).toBe(0);
    await screenshot(page, "sign-in-refused");
  });

  it("signs in, lists the example functions with their settings and last invocations, and signs out", async () => {
    const invoked = await api("/v1/functions/hello/invoke", { method: "POST", body: "Ada" });
    expect(invoked.status).toBe(200);
    const page = await fresh();
    await signIn(page);
    const hello = page.locator('tr[data-function="hello"]');
    await hello.waitFor();
    for (const name of ["echo", "logger", "spin", "trap", "static-page"]) expect(await page.locator(`tr[data-function="${name}"]`).count()).toBe(1);
    const { functions } = (await (await api("/v1/functions")).json()) as { functions: { name: string; version: number; regions: string[] }[] };
    const expected = functions.find((f) => f.name === "hello")!;
    expect(await hello.locator("td").nth(0).textContent()).toMatch(new RegExp(`^v${expected.version}`));
    expect(await hello.locator("td").nth(1).textContent()).toBe(expected.regions.join(", "));
    // Metrics are recorded in the background: refresh until the invocation is counted.
    await expect
      .poll(async () => {
        await page.getByRole("button", { name: "Refresh" }).click();
        return hello.locator('[data-cell="invocations"]').textContent();
      }, { timeout: 20_000, interval: 500 })
      .toBe("1");
    expect(await hello.locator('[data-cell="error-rate"]').textContent()).toBe("0.0%");
    // The token is in this tab's sessionStorage only: no cookie, nothing in the URL.
    expect(await page.context().cookies()).toEqual([]);
    expect(page.url()).not.toContain(await page.evaluate(() => sessionStorage.getItem("helios.token")!));
    await screenshot(page, "functions");
    await page.setViewportSize({ width: 390, height: 800 });
    await screenshot(page, "functions-narrow");
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("API token").waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  });

  it("a function's HTML page, opened in the dashboard's own tab, runs in an opaque origin and cannot read the token", async () => {
    const page = await fresh();
    await signIn(page);
    await page.locator('tr[data-function="static-page"]').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem("helios.token"))).toBe(token());
    // Same tab, same URL origin: without the runtime's sandbox policy this page could read the dashboard's storage.
    const answer = await page.goto(`${baseUrl()}/fn/static-page`);
    expect(answer?.status()).toBe(200);
    expect(await page.locator("h1").textContent()).toBe("Hello from Helios Edge");
    const seen = await page.evaluate(() => {
      let storage: string;
      try {
        storage = String(sessionStorage.getItem("helios.token"));
      } catch (error) {
        storage = `refused: ${(error as Error).name}`;
      }
      return { origin: self.origin, storage };
    });
    expect(seen).toEqual({ origin: "null", storage: "refused: SecurityError" });
    await page.close();
  });

  it("blocks inline script that markup injected into the page tries to run, and reports the violation", async () => {
    const page = await fresh();
    await signIn(page);
    await page.locator('tr[data-function="hello"]').waitFor();
    const outcome = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener("securitypolicyviolation", (e) => violations.push(e.effectiveDirective));
      const w = window as unknown as Record<string, unknown>;
      // What an unescaped function name or log line would do: an inline handler, an inline script, a javascript: URL.
      document.body.insertAdjacentHTML("beforeend", '<img src="data:," onerror="window.__ranHandler = true">');
      const script = document.createElement("script");
      script.textContent = "window.__ranScript = true";
      document.body.append(script);
      const link = document.createElement("a");
      link.href = "javascript:window.__ranUrl = true";
      document.body.append(link);
      link.click();
      await new Promise((r) => setTimeout(r, 300));
      return { handler: w.__ranHandler ?? false, script: w.__ranScript ?? false, url: w.__ranUrl ?? false, violations };
    });
    // (eval cannot be probed from here: the test's own evaluate runs over the DevTools protocol, which the CSP does
    // not govern; the header test above asserts the policy has no 'unsafe-eval'.)
    expect(outcome).toMatchObject({ handler: false, script: false, url: false });
    expect(outcome.violations).toEqual(expect.arrayContaining(["script-src-attr", "script-src-elem"]));
  });

  it("works from the keyboard alone, with a visible focus ring and text contrast of at least 4.5:1", async () => {
    const page = await fresh();
    await visit(page);
    // The token field has focus on arrival; Enter submits.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
    await page.keyboard.type(token());
    await page.keyboard.press("Enter");
    await page.locator('tr[data-function="hello"]').waitFor();
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Tab");
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const style = getComputedStyle(el);
      return { text: el.textContent, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
    });
    expect(focused).toMatchObject({ text: "Functions", outline: "solid" });
    expect(focused.width).toBeGreaterThanOrEqual(2);
    // Following a function's link by keyboard opens its page.
    await page.locator('tr[data-function="hello"] a').focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "hello" }).waitFor();

    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      const ratios = await page.evaluate(() => {
        const rgb = (css: string) => {
          const probe = document.createElement("span");
          probe.style.color = css;
          document.body.append(probe);
          const [r, g, b] = getComputedStyle(probe).color.match(/\d+/g)!.map(Number) as [number, number, number];
          probe.remove();
          return [r, g, b];
        };
        const luminance = ([r, g, b]: number[]) => {
          const [R, G, B] = [r!, g!, b!].map((v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
          return 0.2126 * R! + 0.7152 * G! + 0.0722 * B!;
        };
        const vars = getComputedStyle(document.documentElement);
        const bg = luminance(rgb(vars.getPropertyValue("--bg")));
        const out: Record<string, number> = {};
        for (const name of ["--fg", "--muted", "--accent", "--danger", "--ok"]) {
          const fg = luminance(rgb(vars.getPropertyValue(name)));
          out[name] = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        }
        return out;
      });
      for (const [name, ratio] of Object.entries(ratios)) expect(ratio, `${scheme} ${name}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});
