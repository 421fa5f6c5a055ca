import { describe, expect, it } from "vitest";
import { HostStatus, type HttpFetchRequest } from "../sandbox/index.ts";
import { FETCH_TIMEOUT_MS, type Fetcher, gatewayFetch, MAX_FETCH_REDIRECTS, MAX_FETCH_RESPONSE_BYTES } from "./outbound-gateway.ts";
import { OUTBOUND_MARKER_HEADER, outboundPolicy } from "./outbound-policy.ts";

const get = (url: string): HttpFetchRequest => ({ method: "GET", url, headers: [["x-probe", "1"]], body: null });

describe("outbound gateway", () => {
  const nowMs = 1_000_000;
  const now = () => nowMs;
  const deadline = nowMs + 60_000;
  const never: Fetcher = async () => {
    throw new Error("must not be called");
  };

  it("forwards a request to an allowed host with the loop marker, within the timeout", async () => {
    const seen: Request[] = [];
    const fetcher: Fetcher = async (request) => {
      seen.push(request);
      return new Response("hi", { status: 201, headers: { "content-type": "text/plain" } });
    };
    const outcome = await gatewayFetch(get("https://api.example.com/x?y=1"), ["api.example.com"], deadline, { fetcher, now });
    expect(outcome).toMatchObject({ status: HostStatus.ok, httpStatus: 201 });
    expect(new TextDecoder().decode(outcome.body)).toBe("hi");
    expect(outcome.headers).toContainEqual(["content-type", "text/plain"]);
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe("https://api.example.com/x?y=1");
    expect(seen[0].redirect).toBe("manual");
    expect(seen[0].headers.get("x-probe")).toBe("1");
    expect(seen[0].headers.get(OUTBOUND_MARKER_HEADER)).toBe("1");
    expect(FETCH_TIMEOUT_MS).toBeLessThan(60_000);
  });

  it("the guest cannot remove or change the loop marker", async () => {
    let marker: string | null = null;
    const fetcher: Fetcher = async (request) => {
      marker = request.headers.get(OUTBOUND_MARKER_HEADER);
      return new Response("");
    };
    const request = { ...get("https://api.example.com/"), headers: [[OUTBOUND_MARKER_HEADER, "0"]] as [string, string][] };
    await gatewayFetch(request, ["api.example.com"], deadline, { fetcher, now });
    expect(marker).toBe("1");
  });

  it("refuses hosts off the list, other ports and schemes, without calling out", async () => {
    for (const url of ["https://evil.example.com/", "https://api.example.com:8443/", "ftp://api.example.com/", "https://API.example.com.evil.test/", "https://u:p@api.example.com/"]) {
      expect((await gatewayFetch(get(url), ["api.example.com"], deadline, { fetcher: never, now })).status, url).not.toBe(HostStatus.ok);
    }
    expect((await gatewayFetch(get("not a url"), ["api.example.com"], deadline, { fetcher: never, now })).status).toBe(HostStatus.invalidArgument);
    expect((await gatewayFetch(get("https://api.example.com/"), ["api.example.com"], nowMs, { fetcher: never, now })).status).toBe(HostStatus.deadlineExceeded);
  });

  it("refuses private destinations even when they are on the allow-list (a list stored before the rules, or edited)", async () => {
    const attacks = ["127.0.0.1", "localhost", "127.1", "0.0.0.0", "169.254.169.254", "10.0.0.1", "192.168.1.1", "172.16.0.1", "[::1]", "[fe80::]", "[fc00::]",
      "[::ffff:127.0.0.1]", "[::]", "224.0.0.1", "255.255.255.255", "2130706433", "0x7f000001", "api.localhost"];
    for (const host of attacks) {
      const url = new URL(`http://${host}/`);
      const outcome = await gatewayFetch(get(url.href), [url.host], deadline, { fetcher: never, now });
      expect(outcome.status, host).toBe(HostStatus.notPermitted);
    }
  });

  it("lets through exactly the private hosts the operator exempted, and never the runtime's own host", async () => {
    const ok: Fetcher = async () => new Response("local api");
    const policy = outboundPolicy({ HELIOS_OUTBOUND_ALLOW_PRIVATE: "127.0.0.1:9999, localhost:3000", HELIOS_SELF_HOSTS: "helios.example.com" });
    const allowed = ["127.0.0.1:9999", "localhost:3000", "127.0.0.1:9998", "helios.example.com"];
    expect((await gatewayFetch(get("http://127.0.0.1:9999/x"), allowed, deadline, { policy, fetcher: ok, now })).status).toBe(HostStatus.ok);
    expect((await gatewayFetch(get("http://localhost:3000/x"), allowed, deadline, { policy, fetcher: ok, now })).status).toBe(HostStatus.ok);
    expect((await gatewayFetch(get("http://127.0.0.1:9998/x"), allowed, deadline, { policy, fetcher: never, now })).status).toBe(HostStatus.notPermitted);
    expect(await gatewayFetch(get("https://helios.example.com/v1/functions/f/invoke"), allowed, deadline, { policy, fetcher: never, now })).toMatchObject({
      status: HostStatus.notPermitted,
      reason: expect.stringContaining("own host"),
    });
  });

  it("follows redirects itself, checking every hop before contacting it", async () => {
    const hits: string[] = [];
    const fetcher: Fetcher = async (request) => {
      hits.push(`${request.method} ${request.url} ${request.headers.get("authorization") ?? "-"} ${request.body === null ? "no-body" : "body"}`);
      const url = new URL(request.url);
      if (url.pathname === "/start") return new Response(null, { status: 307, headers: { location: "/second" } });
      if (url.pathname === "/second") return new Response(null, { status: 303, headers: { location: "https://b.example.com/third" } });
      if (url.pathname === "/third") return new Response("done");
      if (url.pathname === "/to-metadata") return new Response(null, { status: 302, headers: { location: "http://169.254.169.254/latest/meta-data/" } });
      if (url.pathname === "/to-localhost") return new Response(null, { status: 301, headers: { location: "http://localhost:8787/v1/functions" } });
      if (url.pathname === "/off-list") return new Response(null, { status: 308, headers: { location: "https://evil.example.com/" } });
      if (url.pathname === "/loop") return new Response(null, { status: 302, headers: { location: "/loop" } });
      if (url.pathname === "/no-location") return new Response("moved", { status: 302 });
      return new Response("?", { status: 404 });
    };
    const allowed = ["a.example.com", "b.example.com", "169.254.169.254", "localhost:8787"];
    const post = (url: string): HttpFetchRequest => ({ method: "POST", url, headers: [["authorization", "Bearer s"]], body: new Uint8Array([1]) });

    const followed = await gatewayFetch(post("https://a.example.com/start"), allowed, deadline, { fetcher, now });
    expect(followed).toMatchObject({ status: HostStatus.ok, httpStatus: 200 });
    expect(hits).toEqual([
      "POST https://a.example.com/start Bearer s body",
      "POST https://a.example.com/second Bearer s body", // 307 keeps method, body and (same origin) credentials
      "GET https://b.example.com/third - no-body", // 303 turns into GET; another origin gets no credentials
    ]);

    for (const path of ["/to-metadata", "/to-localhost", "/off-list"]) {
      hits.length = 0;
      const outcome = await gatewayFetch(get(`https://a.example.com${path}`), allowed, deadline, { fetcher, now });
      expect(outcome, path).toMatchObject({ status: HostStatus.notPermitted, reason: expect.stringContaining("redirect refused") });
      expect(hits, path).toHaveLength(1); // the refused hop was never contacted
    }

    hits.length = 0;
    expect(await gatewayFetch(get("https://a.example.com/loop"), allowed, deadline, { fetcher, now })).toMatchObject({ status: HostStatus.upstreamFailed });
    expect(hits).toHaveLength(MAX_FETCH_REDIRECTS + 1);
    expect(await gatewayFetch(get("https://a.example.com/no-location"), allowed, deadline, { fetcher, now })).toMatchObject({ status: HostStatus.ok, httpStatus: 302 });
  });

  it("refuses a body over the cap (declared or streamed) and reports network failures", async () => {
    const allowed = ["a.test"];
    const big: Fetcher = async () => new Response(new Uint8Array(MAX_FETCH_RESPONSE_BYTES + 1));
    expect((await gatewayFetch(get("http://a.test/"), allowed, deadline, { fetcher: big, now })).status).toBe(HostStatus.tooLarge);
    const streamed: Fetcher = async () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new Uint8Array(256 * 1024));
          },
        }),
      );
    expect((await gatewayFetch(get("http://a.test/"), allowed, deadline, { fetcher: streamed, now })).status).toBe(HostStatus.tooLarge);
    const down: Fetcher = async () => {
      throw new TypeError("connection refused");
    };
    expect(await gatewayFetch(get("http://a.test/"), allowed, deadline, { fetcher: down, now })).toMatchObject({
      status: HostStatus.upstreamFailed,
      reason: "connection refused",
    });
    const slow: Fetcher = async () => {
      throw new DOMException("timed out", "TimeoutError");
    };
    expect((await gatewayFetch(get("http://a.test/"), allowed, deadline, { fetcher: slow, now })).status).toBe(HostStatus.deadlineExceeded);
  });
});
