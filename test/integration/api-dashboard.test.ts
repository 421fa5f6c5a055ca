// The dashboard's files served by the Worker itself (src/api/dashboard.ts): what a browser gets for each, the
// headers of dashboard/public/_headers on every one, revalidation by ETag, and the API left unshadowed.

import { describe, expect, it } from "vitest";
import { DASHBOARD_HEADERS } from "../../src/api/generated/dashboard-assets.ts";
import { errorOf, request } from "./api-support.ts";

describe("GET / and the dashboard's files", () => {
  it("serves index.html at /, and its script and style, each with every _headers header", async () => {
    const page = await request("GET", "/");
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/app.js">');
    expect(html).toContain('href="/app.css"');
    // What scripts/build-dashboard.mjs read from dashboard/public/_headers (its parsing has a unit test).
    const declared = DASHBOARD_HEADERS;
    expect(new Map(declared).get("Content-Security-Policy")).toMatch(/^default-src 'self'; script-src 'self';/);
    expect(new Map(declared).get("X-Frame-Options")).toBe("DENY");
    for (const path of ["/", "/app.js", "/app.css"]) {
      const answer = await request("GET", path);
      expect(answer.status).toBe(200);
      for (const [name, value] of declared) expect(answer.headers.get(name), `${path} ${name}`).toBe(value);
      expect((await answer.arrayBuffer()).byteLength).toBeGreaterThan(100);
    }
    expect((await request("GET", "/app.js")).headers.get("content-type")).toMatch(/^text\/javascript/);
    expect((await request("GET", "/app.css")).headers.get("content-type")).toMatch(/^text\/css/);
  });

  it("answers a revalidation with the current ETag by 304, and a stale one with the file", async () => {
    const first = await request("GET", "/app.js");
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    await first.arrayBuffer();
    const same = await request("GET", "/app.js", { headers: { "if-none-match": `"other", W/${etag}` } });
    expect(same.status).toBe(304);
    expect(same.headers.get("etag")).toBe(etag);
    expect(same.headers.get("content-security-policy")).toBe(first.headers.get("content-security-policy"));
    expect(await same.text()).toBe("");
    const stale = await request("GET", "/app.js", { headers: { "if-none-match": '"0000"' } });
    expect(stale.status).toBe(200);
    expect((await stale.text()).length).toBeGreaterThan(1000);
    // Each file has its own tag.
    expect((await request("GET", "/")).headers.get("etag")).not.toBe(etag);
  });

  it("answers HEAD with the headers and no body, and redirects /index.html to /", async () => {
    const head = await request("HEAD", "/");
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await head.text()).toBe("");
    const redirect = await request("GET", "/index.html", { redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("/");
  });

  it("is public whatever token is presented, and leaves every other path and method to the API", async () => {
    const withBadToken = await request("GET", "/", { headers: { authorization: "Bearer not-the-token" } });
    expect(withBadToken.status).toBe(200);
    await withBadToken.text();
    // The same wrong token on an API path is refused there.
    expect((await errorOf(await request("GET", "/healthz", { headers: { authorization: "Bearer not-the-token" } }))).code).toBe("unauthorized");
    const unknown = await request("GET", "/no-such-page", { headers: { accept: "text/html" } });
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).code).toBe("not_found");
    const posted = await request("POST", "/", { body: "x" });
    expect(posted.status).toBe(404);
    expect((await errorOf(posted)).code).toBe("not_found");
    expect((await request("GET", "/healthz")).status).toBe(200);
  });
});
