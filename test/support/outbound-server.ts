// The "outside world" of the Workers tests: miniflare routes every global fetch() of the Worker (its Durable
// Objects included) to this handler, in Node, since no real internet is reachable. The runtime's outbound gateway
// is the only code that should ever reach it on a guest's behalf; every request is recorded so a test can prove a
// refused host was never contacted (GET http://outbound-log.test/hits?token=... lists requests whose URL has it).

import { Response } from "miniflare";
import { LOCAL_API_HOST } from "./local-api.ts";

export { LOCAL_API_HOST };

interface Hit {
  method: string;
  url: string;
}

const hits: Hit[] = [];

/** Waiters of /barrier?key=..&role=wait, released by /barrier?key=..&role=release (database concurrency tests). */
const barriers = new Map<string, () => void>();
const released = new Set<string>();

function barrier(url: URL): Promise<Response> {
  const key = url.searchParams.get("key") ?? "";
  if (url.searchParams.get("role") === "release") {
    released.add(key);
    barriers.get(key)?.();
    return Promise.resolve(new Response("released"));
  }
  if (released.has(key)) return Promise.resolve(new Response("released"));
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(new Response("nobody released the barrier", { status: 504 })), 8_000);
    barriers.set(key, () => {
      clearTimeout(timer);
      resolve(new Response("released"));
    });
  });
}

/** /flaky?key=..&fail=N: the first N requests of a key answer 503, later ones 200; &report=1 lists their times. */
const flakyHits = new Map<string, number[]>();

function flaky(url: URL): Response {
  const key = url.searchParams.get("key") ?? "";
  const times = flakyHits.get(key) ?? [];
  if (url.searchParams.get("report") === "1") return Response.json(times);
  times.push(Date.now());
  flakyHits.set(key, times);
  return new Response(null, { status: times.length <= Number(url.searchParams.get("fail") ?? "0") ? 503 : 200 });
}

/**
 * The subscription consumers' sink (CDC tests): POST http://allowed.test/cdc-sink?key=K records the batch under K
 * and answers 500 for the first `failFirst` requests of K, for every body containing `poison` (until
 * http://outbound-log.test/cdc-heal?key=K), or 200. http://outbound-log.test/cdc?key=K lists what K received.
 */
interface SinkRecord {
  at: number;
  status: number;
  body: string;
}
const sinks = new Map<string, SinkRecord[]>();
const healed = new Set<string>();

async function cdcSink(url: URL, request: { text(): Promise<string> }): Promise<Response> {
  const key = url.searchParams.get("key") ?? "";
  const records = sinks.get(key) ?? [];
  sinks.set(key, records);
  const body = await request.text();
  const poison = url.searchParams.get("poison");
  const failing = records.length < Number(url.searchParams.get("failFirst") ?? "0") || (poison !== null && !healed.has(key) && body.includes(poison));
  const status = failing ? 500 : 200;
  records.push({ at: Date.now(), status, body });
  return new Response(failing ? "failing on purpose" : "ok", { status });
}

export async function outboundServer(request: { method: string; url: string; headers: Headers; text(): Promise<string> }): Promise<Response> {
  const url = new URL(request.url);
  if (url.host === "outbound-log.test" && url.pathname === "/cdc") return Response.json(sinks.get(url.searchParams.get("key") ?? "") ?? []);
  if (url.host === "outbound-log.test" && url.pathname === "/cdc-heal") {
    healed.add(url.searchParams.get("key") ?? "");
    return new Response("healed");
  }
  if (url.host === "allowed.test" && url.pathname === "/cdc-sink") return cdcSink(url, request);
  if (url.host === "outbound-log.test") {
    const token = url.searchParams.get("token") ?? "";
    return Response.json(hits.filter((hit) => hit.url.includes(token)));
  }
  hits.push({ method: request.method, url: request.url });
  // A "local API" on a private address: reachable only because the operator setting of the tests exempts it.
  if (url.host === LOCAL_API_HOST) return Response.json({ localApi: true, path: url.pathname + url.search, marker: request.headers.get("x-helios-outbound") });
  if (url.host !== "allowed.test") return new Response("you should not be here", { status: 200 });
  switch (url.pathname) {
    case "/echo":
      return Response.json({
        method: request.method,
        path: url.pathname + url.search,
        body: await request.text(),
        probe: request.headers.get("x-probe"),
      });
    case "/big":
      return new Response("x".repeat(2 * 1024 * 1024), { headers: { "content-type": "text/plain" } });
    case "/barrier":
      return barrier(url);
    case "/flaky":
      return flaky(url);
    case "/slow":
      await new Promise((resolve) => setTimeout(resolve, Number(url.searchParams.get("ms") ?? "1000")));
      return new Response("slow");
    case "/redirect":
      return new Response(null, { status: 302, headers: { location: `http://forbidden.test/after-redirect${url.search}` } });
    case "/redirect-ok":
      return new Response(null, { status: 307, headers: { location: `/echo${url.search}` } });
    case "/redirect-metadata":
      return new Response(null, { status: 302, headers: { location: `http://169.254.169.254/latest/meta-data/${url.search}` } });
    case "/redirect-private":
      return new Response(null, { status: 302, headers: { location: `http://127.0.0.1:9998/${url.search}` } });
    default:
      return new Response(`hello from allowed.test${url.pathname}`, { headers: { "content-type": "text/plain; charset=utf-8" } });
  }
}
