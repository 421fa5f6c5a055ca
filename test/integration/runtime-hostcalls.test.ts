// Host calls through the HTTP API (deploy + invoke with SELF.fetch), on the AssemblyScript examples: each
// capability granted and denied at deploy, edge_invoke chains (across regions, cycles, depth, shared fuel),
// outbound HTTP limited to the allow-list, and leaks of host-made blocks in the usage headers.

import { describe, expect, it } from "vitest";
import { MAX_CALL_DEPTH } from "../../src/runtime/index.ts";
import { EDGE_INVOKE_BASE_FUEL, HostStatus } from "../../src/sandbox/index.ts";
import { deployRaw, errorOf, freshName, invoke, textOf, type DeployOptions } from "./api-support.ts";
import { guestBytes } from "./runtime-support.ts";

async function deployExample(name: string, example: string, options: DeployOptions = {}): Promise<void> {
  const response = await deployRaw(name, guestBytes(`example:${example}`), options);
  if (!response.ok) throw new Error(`deploy of ${example} as ${name} failed: ${response.status} ${await response.text()}`);
}

async function invokeJson<T = Record<string, unknown>>(name: string, body: string, region?: string): Promise<T> {
  const response = await invoke(name, body, { region });
  const text = await textOf(response);
  if (response.status !== 200) throw new Error(`invoke ${name}: ${response.status} ${text}`);
  return JSON.parse(text) as T;
}

async function refusedForCapability(example: string, profile: string, missing: string): Promise<void> {
  const response = await deployRaw(freshName("denied"), guestBytes(`example:${example}`), { query: { profile } });
  expect(response.status).toBe(422);
  const error = await errorOf(response);
  expect(error.code).toBe("policy_violation");
  expect(error.violations).toContainEqual(expect.objectContaining({ rule: "capability_missing", capability: missing }));
  expect(error.message).toContain(`"${missing}" capability`);
}

interface ChainJson {
  via: string;
  status: number;
  error: string;
  output: string;
}

describe("capability minimal: log and output", () => {
  it("logs lines and emits output with heliosdb_output", async () => {
    const name = freshName("logger");
    await deployExample(name, "logger");
    const response = await invoke(name, "first\nwarn: second\nerror: third");
    expect(response.status).toBe(200);
    expect(await textOf(response)).toBe("logged 3");
  });
});

describe("capability compute: config, names", () => {
  it("granted: reads config set at deploy, its own name and its region", async () => {
    const name = freshName("config");
    await deployExample(name, "config-reader", { query: { profile: "compute", config: JSON.stringify({ greeting: "hej", "x.y": "ü" }) } });
    expect(await invokeJson(name, "", "weur")).toEqual({ function: name, region: "weur", key: "greeting", value: "hej" });
    expect(await invokeJson(name, "x.y")).toMatchObject({ key: "x.y", value: "ü" });
    expect(await invokeJson(name, "missing")).toMatchObject({ key: "missing", value: null });
    // Inherited object properties are not config keys.
    expect(await invokeJson(name, "__proto__")).toMatchObject({ value: null });
  });

  it("denied: a module calling config under the minimal profile is refused at deploy, naming compute", async () => {
    await refusedForCapability("config-reader", "minimal", "compute");
  });

  it("host-made blocks: leaks are reported in x-helios-leaks, a double free is refused", async () => {
    const name = freshName("blocks");
    await deployExample(name, "blocks", { query: { profile: "compute" } });
    const leaky = await invoke(name, "3 1");
    expect(JSON.parse(await textOf(leaky))).toEqual({ allocated: 3, freed: 1, doubleFree: "unknownAllocation" });
    expect(leaky.headers.get("x-helios-leaks")).toBe("2");
    const tidy = await invoke(name, "2 2");
    expect(tidy.headers.get("x-helios-leaks")).toBe("0");
  });
});

describe("capability network: http_fetch through the gateway", () => {
  const hitsFor = async (token: string) => (await (await fetch(`http://outbound-log.test/hits?token=${token}`)).json()) as { url: string }[];

  it("granted: reaches a host on the allow-list, and only that host", async () => {
    const name = freshName("fetch");
    await deployExample(name, "fetcher", { query: { profile: "network", allowedHosts: "allowed.test" } });
    const token = freshName("t");

    const echoed = await invokeJson<{ status: number; contentType: string; body: string }>(name, `http://allowed.test/echo?token=${token}\nping`);
    expect(echoed.status).toBe(200);
    expect(echoed.contentType).toMatch(/^application\/json/);
    expect(JSON.parse(echoed.body)).toMatchObject({ method: "POST", path: `/echo?token=${token}`, body: "ping" });

    const forbidden = await invokeJson(name, `http://forbidden.test/steal?token=${token}`);
    expect(forbidden).toMatchObject({ status: HostStatus.notPermitted, error: "notPermitted", body: "" });
    const otherPort = await invokeJson(name, `http://allowed.test:8080/?token=${token}`);
    expect(otherPort).toMatchObject({ status: HostStatus.notPermitted });
    const notHttp = await invokeJson(name, `ftp://allowed.test/?token=${token}`);
    expect(notHttp).toMatchObject({ status: HostStatus.notPermitted });

    // The gateway follows redirects itself and checks every hop: one off the list is refused before it is contacted.
    const redirected = await invokeJson(name, `http://allowed.test/redirect?token=${token}`);
    expect(redirected).toMatchObject({ status: HostStatus.notPermitted });
    // A body over the gateway's cap is refused, not truncated.
    expect(await invokeJson(name, `http://allowed.test/big?token=${token}`)).toMatchObject({ status: HostStatus.tooLarge });

    const hosts = (await hitsFor(token)).map((hit) => new URL(hit.url).host);
    expect(hosts.length).toBeGreaterThan(0);
    expect(new Set(hosts)).toEqual(new Set(["allowed.test"]));
  });

  it("denied: fetcher under compute is refused at deploy naming network; hosts need the network capability", async () => {
    await refusedForCapability("fetcher", "compute", "network");
    const response = await deployRaw(freshName("hosts"), guestBytes("example:config-reader"), {
      query: { profile: "compute", allowedHosts: "allowed.test" },
    });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: "invalid_request", field: "allowedHosts" });
  });
});

describe("capability invoke: edge_invoke chains", () => {
  it("denied: chain under compute is refused at deploy naming invoke", async () => {
    await refusedForCapability("chain", "compute", "invoke");
  });

  it("A -> B across regions: B runs in its own region, and private callees are reachable", async () => {
    const b = freshName("b");
    const a = freshName("a");
    await deployExample(b, "config-reader", { query: { profile: "compute", regions: "weur", private: "true" } });
    await deployExample(a, "chain", { query: { profile: "invoke", regions: "wnam", config: JSON.stringify({ target: b, region: "weur" }) } });
    const result = await invokeJson<ChainJson>(a, "greeting", "wnam");
    expect(result).toMatchObject({ via: "wnam", status: 0, error: "ok" });
    expect(JSON.parse(result.output)).toEqual({ function: b, region: "weur", key: "greeting", value: null });

    // B is not deployed in A's own region.
    const sameRegion = freshName("a");
    await deployExample(sameRegion, "chain", { query: { profile: "invoke", regions: "wnam", config: JSON.stringify({ target: b }) } });
    expect(await invokeJson(sameRegion, "", "wnam")).toMatchObject({ status: HostStatus.notFound, error: "notFound" });
  });

  it("A -> A is refused as a cycle", async () => {
    const a = freshName("self");
    await deployExample(a, "chain", { query: { profile: "invoke", regions: "wnam", config: JSON.stringify({ target: a }) } });
    expect(await invokeJson(a, "x")).toMatchObject({ status: HostStatus.callCycle, error: "callCycle" });
  });

  it("A -> B -> A is refused at B, across regions too", async () => {
    const a = freshName("ping");
    const b = freshName("pong");
    await deployExample(a, "chain", { query: { profile: "invoke", regions: "wnam", config: JSON.stringify({ target: b, region: "apac" }) } });
    await deployExample(b, "chain", { query: { profile: "invoke", regions: "apac", config: JSON.stringify({ target: a, region: "wnam" }) } });
    const outer = await invokeJson<ChainJson>(a, "x");
    expect(outer).toMatchObject({ via: "wnam", status: 0 });
    expect(JSON.parse(outer.output)).toMatchObject({ via: "apac", status: HostStatus.callCycle, error: "callCycle" });
  });

  it(`a chain deeper than ${MAX_CALL_DEPTH} functions is refused at the limit`, async () => {
    const leaf = freshName("leaf");
    await deployExample(leaf, "hello", { query: { regions: "wnam" } });
    // links[0] -> links[1] -> ... -> leaf; with MAX_CALL_DEPTH links the leaf would be function MAX_CALL_DEPTH + 1.
    const links = Array.from({ length: MAX_CALL_DEPTH }, () => freshName("link"));
    for (const [i, link] of links.entries()) {
      const target = links[i + 1] ?? leaf;
      await deployExample(link, "chain", { query: { profile: "invoke", regions: "wnam", config: JSON.stringify({ target }) } });
    }
    let level = await invokeJson<ChainJson>(links[0], "deep");
    for (let depth = 1; depth < MAX_CALL_DEPTH; depth++) {
      expect(level).toMatchObject({ status: 0 });
      level = JSON.parse(level.output) as ChainJson;
    }
    expect(level).toMatchObject({ status: HostStatus.callDepthExceeded, error: "callDepthExceeded" });

    // One link fewer: the leaf is function MAX_CALL_DEPTH and answers.
    let short = await invokeJson<ChainJson>(links[1], "deep");
    for (let depth = 2; depth < MAX_CALL_DEPTH; depth++) short = JSON.parse(short.output) as ChainJson;
    expect(short).toMatchObject({ status: 0, output: "Hello, deep!" });
  });

  it("fuel is shared: the callee's fuel is charged to the caller, and a chain never exceeds the caller's budget", async () => {
    const worker = freshName("primes");
    await deployExample(worker, "cpu-heavy", { query: { regions: "wnam", fuel: "100000000" } });
    const alone = Number((await invoke(worker, "20000")).headers.get("x-helios-fuel-used"));
    expect(alone).toBeGreaterThan(1_000_000);

    const rich = freshName("rich");
    await deployExample(rich, "chain", { query: { profile: "invoke", regions: "wnam", fuel: "100000000", config: JSON.stringify({ target: worker }) } });
    const ok = await invoke(rich, "20000");
    expect(JSON.parse(await textOf(ok))).toMatchObject({ status: 0, output: "2262" });
    const chainFuel = Number(ok.headers.get("x-helios-fuel-used"));
    expect(chainFuel).toBeGreaterThan(alone);

    // The caller's budget is below what the callee needs: the callee runs out, and so does the caller.
    const budget = Math.floor(alone / 2);
    const poor = freshName("poor");
    await deployExample(poor, "chain", { query: { profile: "invoke", regions: "wnam", fuel: String(budget), config: JSON.stringify({ target: worker }) } });
    const exhausted = await invoke(poor, "20000");
    expect(exhausted.status).toBe(422);
    expect(await errorOf(exhausted)).toMatchObject({ code: "out_of_fuel", budget, fuelUsed: budget });

    // The callee's own limit is the lower one: only the callee fails, and the caller sees calleeFailed.
    const limited = freshName("limited");
    await deployExample(limited, "cpu-heavy", { query: { regions: "wnam", fuel: String(budget) } });
    const caller = freshName("caller");
    await deployExample(caller, "chain", { query: { profile: "invoke", regions: "wnam", fuel: "100000000", config: JSON.stringify({ target: limited }) } });
    const failed = await invoke(caller, "20000");
    expect(JSON.parse(await textOf(failed))).toMatchObject({ status: HostStatus.calleeFailed, error: "calleeFailed" });
    const used = Number(failed.headers.get("x-helios-fuel-used"));
    expect(used).toBeGreaterThanOrEqual(budget);
    // The callee's fuel, the edge call's own price (the cost of starting a sandbox) and the caller's own work.
    expect(used).toBeLessThan(budget + EDGE_INVOKE_BASE_FUEL + 1_000_000);
  });
});
