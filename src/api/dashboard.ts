// The operators' dashboard at `/`: its files (built by scripts/build-dashboard.mjs into
// src/api/generated/dashboard-assets.ts) served by the Worker from memory, before any API middleware, to anyone:
// they are public, as static assets would be, and hold no data (every view asks the API with the signed-in token).
//
// Served as Workers static assets would serve them: GET and HEAD only; `/` is index.html and `/index.html` redirects
// to it; a strong ETag per file, so a browser revalidating (`Cache-Control: no-cache`, from _headers) gets a 304;
// every header of dashboard/public/_headers (the Content-Security-Policy) on every answer. Any other path or method
// falls through to the API, so an unknown path still gets its JSON 404 and no file can shadow a route.

import type { MiddlewareHandler } from "hono";
import { DASHBOARD_ASSETS, DASHBOARD_HEADERS } from "./generated/dashboard-assets.ts";
import type { HonoEnv } from "./hono-env.ts";

function assetHeaders(contentType: string, etag: string): Headers {
  const headers = new Headers(DASHBOARD_HEADERS);
  headers.set("content-type", contentType);
  headers.set("etag", etag);
  return headers;
}

/** True when an If-None-Match list names this ETag (or is `*`); weak comparison, as RFC 9110 asks for GET. */
function matchesEtag(ifNoneMatch: string | null, etag: string): boolean {
  if (ifNoneMatch === null) return false;
  return ifNoneMatch.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}

/** Answers a dashboard file, or passes the request on to the API. */
export const serveDashboard: MiddlewareHandler<HonoEnv> = async (c, next) => {
  const method = c.req.method;
  if (method !== "GET" && method !== "HEAD") return next();
  const path = c.req.path;
  if (path === "/index.html") return new Response(null, { status: 307, headers: { location: "/" } });
  const asset = Object.hasOwn(DASHBOARD_ASSETS, path) ? DASHBOARD_ASSETS[path] : undefined;
  if (asset === undefined) return next();
  const headers = assetHeaders(asset.contentType, asset.etag);
  if (matchesEtag(c.req.header("if-none-match") ?? null, asset.etag)) return new Response(null, { status: 304, headers });
  return new Response(method === "HEAD" ? null : asset.body, { status: 200, headers });
};
