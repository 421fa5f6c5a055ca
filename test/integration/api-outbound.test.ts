// No SSRF through the allow-list, over HTTP against the real Worker: deploy refuses every private, loopback,
// link-local, ... host in any spelling and the runtime's own host; only the operator's setting (a binding of
// this test pool, never a deploy field) exempts one private host; redirects are re-checked hop by hop; and a
// request from a function back into the runtime is refused on every route.

import { describe, expect, it } from "vitest";
import { OUTBOUND_MARKER_HEADER } from "../../src/runtime/index.ts";
import { HostStatus } from "../../src/sandbox/index.ts";
import { LOCAL_API_HOST } from "../support/local-api.ts";
import { AUTH, BASE, deployRaw, errorOf, freshName, invoke, request, textOf } from "./api-support.ts";
import { guestBytes } from "./runtime-support.ts";

const fetcher = () => guestBytes("example:fetcher");
const hitsFor = async (token: string) => (await (await fetch(`http://outbound-log.test/hits?token=${token}`)).json()) as { url: string }[];

async function fetchThrough(name: string, url: string): Promise<{ status: number; body: string }> {
  const response = await invoke(name, url);
  const text = await textOf(response);
  if (response.status !== 200) throw new Error(`invoke ${name}: ${response.status} ${text}`);
  return JSON.parse(text) as { status: number; body: string };
}

describe("allowedHosts refuses what would reach the runtime's own network", () => {
  const attacks = ["127.0.0.1", "localhost", "127.1", "0.0.0.0", "169.254.169.254", "10.0.0.1", "192.168.1.1", "172.16.0.1", new URL(BASE).host,
    "[::1]", "[fe80::]", "[fc00::]", "[::ffff:127.0.0.1]", "[::]", "224.0.0.1", "255.255.255.255", "2130706433", "0x7f000001", "api.localhost",
    "127.0.0.1:9998"];

  it.each(attacks)("deploy with allowedHosts=%s is a 400 naming allowedHosts", async (host) => {
    const response = await deployRaw(freshName("ssrf"), fetcher(), { query: { profile: "network", allowedHosts: host } });
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error).toMatchObject({ code: "invalid_request", field: "allowedHosts" });
    expect(error.message).toMatch(/refused: .*(address|local name|own host)/);
  });

  it("a deployer cannot grant private hosts: no field, query parameter or header does it", async () => {
    const asField = await deployRaw(freshName("ssrf"), fetcher(), { query: { profile: "network", allowedHosts: "10.0.0.1", allowPrivate: "true" } });
    expect(asField.status).toBe(400);
    const asHeader = await deployRaw(freshName("ssrf"), fetcher(), {
      query: { profile: "network", allowedHosts: "10.0.0.1" },
      headers: { "x-helios-outbound-allow-private": "10.0.0.1", "x-helios-allow-private": "true" },
    });
    expect(asHeader.status).toBe(400);
    expect(await errorOf(asHeader)).toMatchObject({ code: "invalid_request" });
    // Without the unknown header, the host itself is what is refused.
    const plain = await deployRaw(freshName("ssrf"), fetcher(), { query: { profile: "network", allowedHosts: "10.0.0.1" } });
    expect(await errorOf(plain)).toMatchObject({ code: "invalid_request", field: "allowedHosts" });
  });

  it("the operator's exemption lets exactly that private host through, and the request reaches it", async () => {
    const name = freshName("local-api");
    const deployed = await deployRaw(name, fetcher(), { query: { profile: "network", allowedHosts: `${LOCAL_API_HOST},allowed.test` } });
    expect(deployed.status).toBe(201);
    const token = freshName("t");
    const outcome = await fetchThrough(name, `http://${LOCAL_API_HOST}/things?token=${token}`);
    expect(outcome.status).toBe(200);
    expect(JSON.parse(outcome.body)).toMatchObject({ localApi: true, marker: "1" });

    // Redirects are followed by the gateway and re-checked: to an allowed host works, to a private or metadata
    // address is refused without contacting it.
    const followed = await fetchThrough(name, `http://allowed.test/redirect-ok?token=${token}`);
    expect(followed.status).toBe(200);
    expect(JSON.parse(followed.body)).toMatchObject({ path: `/echo?token=${token}` });
    expect(await fetchThrough(name, `http://allowed.test/redirect-metadata?token=${token}`)).toMatchObject({ status: HostStatus.notPermitted });
    expect(await fetchThrough(name, `http://allowed.test/redirect-private?token=${token}`)).toMatchObject({ status: HostStatus.notPermitted });
    const hosts = new Set((await hitsFor(token)).map((hit) => new URL(hit.url).host));
    expect(hosts).toEqual(new Set([LOCAL_API_HOST, "allowed.test"]));
  });
});

describe("a function cannot call the runtime itself", () => {
  it("any request carrying the gateway's marker is refused with loop_detected (508) on every route", async () => {
    const marker = { [OUTBOUND_MARKER_HEADER]: "1" };
    for (const [method, path, headers] of [
      ["POST", "/v1/functions/anything/invoke", marker],
      ["GET", "/v1/functions", { ...AUTH, ...marker }],
      ["GET", "/healthz", marker],
    ] as const) {
      const response = await request(method, path, { headers });
      expect(response.status, path).toBe(508);
      expect(await errorOf(response)).toMatchObject({ code: "loop_detected", header: OUTBOUND_MARKER_HEADER });
    }
    expect((await request("GET", "/healthz")).status).toBe(200);
  });
});
