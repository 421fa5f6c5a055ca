import { describe, expect, it } from "vitest";
import { HostStatus, type HttpFetchRequest } from "../sandbox/index.ts";
import { FETCH_TIMEOUT_MS, gatewayFetch, MAX_FETCH_RESPONSE_BYTES } from "./outbound-gateway.ts";

const get = (url: string): HttpFetchRequest => ({ method: "GET", url, headers: [["x-probe", "1"]], body: null });

describe("outbound gateway", () => {
  const now = 1_000_000;
  const deadline = now + 60_000;

  it("forwards a request to an allowed host without following redirects, within the timeout", async () => {
    const seen: Request[] = [];
    const outcome = await gatewayFetch(get("https://api.example.com/x?y=1"), ["api.example.com"], deadline, async (request) => {
      seen.push(request);
      return new Response("hi", { status: 201, headers: { "content-type": "text/plain" } });
    }, now);
    expect(outcome).toMatchObject({ status: HostStatus.ok, httpStatus: 201 });
    expect(new TextDecoder().decode(outcome.body)).toBe("hi");
    expect(outcome.headers).toContainEqual(["content-type", "text/plain"]);
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe("https://api.example.com/x?y=1");
    expect(seen[0].redirect).toBe("manual");
    expect(seen[0].headers.get("x-probe")).toBe("1");
    expect(FETCH_TIMEOUT_MS).toBeLessThan(60_000);
  });

  it("refuses hosts off the list, other ports and schemes, without calling out", async () => {
    const fetcher = async (): Promise<Response> => {
      throw new Error("must not be called");
    };
    for (const url of ["https://evil.example.com/", "https://api.example.com:8443/", "ftp://api.example.com/", "https://API.example.com.evil.test/"]) {
      expect((await gatewayFetch(get(url), ["api.example.com"], deadline, fetcher, now)).status).toBe(HostStatus.notPermitted);
    }
    expect((await gatewayFetch(get("not a url"), ["api.example.com"], deadline, fetcher, now)).status).toBe(HostStatus.invalidArgument);
    expect((await gatewayFetch(get("https://api.example.com/"), ["api.example.com"], now, fetcher, now)).status).toBe(HostStatus.deadlineExceeded);
  });

  it("refuses a body over the cap (declared or streamed) and reports network failures", async () => {
    const allowed = ["a.test"];
    const big = async () => new Response(new Uint8Array(MAX_FETCH_RESPONSE_BYTES + 1));
    expect((await gatewayFetch(get("http://a.test/"), allowed, deadline, big, now)).status).toBe(HostStatus.tooLarge);
    const streamed = async () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            controller.enqueue(new Uint8Array(256 * 1024));
          },
        }),
      );
    expect((await gatewayFetch(get("http://a.test/"), allowed, deadline, streamed, now)).status).toBe(HostStatus.tooLarge);
    const down = async (): Promise<Response> => {
      throw new TypeError("connection refused");
    };
    expect(await gatewayFetch(get("http://a.test/"), allowed, deadline, down, now)).toMatchObject({
      status: HostStatus.upstreamFailed,
      reason: "connection refused",
    });
    const slow = async (): Promise<Response> => {
      throw new DOMException("timed out", "TimeoutError");
    };
    expect((await gatewayFetch(get("http://a.test/"), allowed, deadline, slow, now)).status).toBe(HostStatus.deadlineExceeded);
  });
});
