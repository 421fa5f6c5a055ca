// The Worker's own hot path (src/regions/isolate-invoker.ts): an invocation that needs no region-pinned state runs in
// the Worker that received it, through no region object; an explicitly requested other region goes to that region's
// pool. Consistency (docs/architecture.md): a deploy or secret change is visible at once in the isolate that
// processed it, elsewhere after at most the deployment cache interval, and every invocation runs one whole version.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { IsolateInvoker, type SnapshotSource } from "../../src/regions/index.ts";
import { poolSnapshots } from "../../src/regions/isolate-deployments.ts";
import { poolMemberNames, regionMemberStub } from "../../src/regions/region-pool.ts";
import { instrumentedModuleKey } from "../../src/registry/module-store.ts";
import { AUTH, deployed, deployRaw, freshName, guest, invoke, request, sha256Hex, textOf } from "./api-support.ts";
import { guestBytes } from "./runtime-support.ts";

/** Invocations the region's pool members have run (by name and chained) since they started. */
async function poolInvocations(region: string): Promise<number> {
  const counts = await Promise.all(poolMemberNames(region).map((member) => regionMemberStub(env, region, member).invocationCount()));
  return counts.reduce((sum, n) => sum + n, 0);
}

const decoder = new TextDecoder();

/** An invoker standing for another Worker isolate: its own deployment cache, fed by the same pool. */
function otherIsolate(ttlMs: number, snapshots: SnapshotSource = poolSnapshots(env)) {
  const invoker = new IsolateInvoker(env, { ttlMs, snapshots });
  const background: Promise<unknown>[] = [];
  return {
    async run(name: string, payload = "") {
      const bytes = new TextEncoder().encode(payload).buffer as ArrayBuffer;
      const result = await invoker.invokeByName("wnam", name, bytes, { authorized: false }, (p) => background.push(p));
      return { text: decoder.decode(result.output), version: result.version };
    },
    settled: () => Promise.allSettled(background),
  };
}

function counted(source: SnapshotSource): { source: SnapshotSource; calls: () => number } {
  let calls = 0;
  return { source: (...args) => (calls++, source(...args)), calls: () => calls };
}

describe("hot path: where invocations run", () => {
  it("runs an invocation in the Worker itself, edge calls within the region too: no region object runs any of it", async () => {
    const callee = freshName("callee");
    const caller = freshName("caller");
    await deployed(callee, "hello", { query: { regions: "wnam,weur" } });
    const chain = await request("PUT", `/v1/functions/${caller}?profile=invoke&regions=wnam&config=${encodeURIComponent(JSON.stringify({ target: callee }))}`, {
      body: guestBytes("example:chain"),
      headers: { ...AUTH, "content-type": "application/wasm", "x-helios-sha256": await sha256Hex(guestBytes("example:chain")) },
    });
    expect(chain.status).toBe(201);
    const before = await poolInvocations("wnam");
    for (let i = 0; i < 5; i++) {
      // No region named, and the region this request runs in named explicitly: both stay in the Worker.
      expect(await textOf(await invoke(callee, null))).toBe("hello from helios");
      expect(await textOf(await invoke(callee, null, { region: "wnam" }))).toBe("hello from helios");
      const chained = JSON.parse(await textOf(await invoke(caller, "x")));
      expect(chained).toMatchObject({ via: "wnam", status: 0, output: "hello from helios" });
    }
    expect(await poolInvocations("wnam")).toBe(before);

    // Another region named explicitly: one member of that region's pool runs it.
    const elsewhere = await poolInvocations("weur");
    const response = await invoke(callee, null, { region: "weur" });
    expect(response.headers.get("x-helios-region")).toBe("weur");
    expect(await poolInvocations("weur")).toBe(elsewhere + 1);
  });
});

describe("hot path: a deploy warms the isolate that processed it", () => {
  it("prepares the new version there before answering: its first invocation needs no module read", async () => {
    const name = freshName("warm");
    // Bytes no other test deploys (a custom section of its own), so removing its stored module touches nothing else.
    const tag = new TextEncoder().encode(`warm-${name}`);
    const section = [0, tag.length + 2, 1, 0x77, ...tag];
    const bytes = new Uint8Array([...guest("echo"), ...section]);
    const response = await deployRaw(name, bytes);
    expect(response.status).toBe(201);
    const { function: view } = await response.json<{ function: { instrumentedSha256: string } }>();
    // With the instrumented module gone from the store, only a version prepared at deploy can still run here.
    await env.MODULES.delete(instrumentedModuleKey(view.instrumentedSha256));
    expect(await env.MODULES.head(instrumentedModuleKey(view.instrumentedSha256))).toBeNull();
    const first = await invoke(name, "first call");
    expect(first.status).toBe(200);
    expect(await first.text()).toBe("first call");
  });
});

describe("hot path: the isolate's deployment cache", () => {
  it("asks the region's pool once per cache interval, not per invocation", async () => {
    const name = freshName("cached");
    await deployed(name, "v1", { query: { regions: "wnam" } });
    const snapshots = counted(poolSnapshots(env));
    const isolate = otherIsolate(60_000, snapshots.source);
    for (let i = 0; i < 20; i++) expect((await isolate.run(name)).text).toBe("v1");
    expect(snapshots.calls()).toBe(1);
    await isolate.settled();
  });

  it("a deploy processed elsewhere is seen after the interval, not before; the processing isolate sees it at once", async () => {
    const name = freshName("elsewhere");
    await deployed(name, "v1", { query: { regions: "wnam" } });
    const stale = otherIsolate(60_000);
    const fresh = otherIsolate(0);
    expect((await stale.run(name)).text).toBe("v1");
    expect((await fresh.run(name)).text).toBe("v1");
    // Processed by the Worker's own isolate: its next invocation runs v2 at once.
    await deployed(name, "v2", { query: { regions: "wnam" } });
    expect(await textOf(await invoke(name, null))).toBe("v2");
    // An isolate within its interval still runs what it held; one whose interval has passed runs the new version.
    expect((await stale.run(name)).text).toBe("v1");
    expect((await fresh.run(name)).text).toBe("v2");
    await Promise.all([stale.settled(), fresh.settled()]);
  });

  it("sees a deploy made elsewhere within the documented interval", async () => {
    const name = freshName("bound");
    await deployed(name, "v1", { query: { regions: "wnam" } });
    const ttlMs = 200;
    const isolate = otherIsolate(ttlMs);
    expect((await isolate.run(name)).text).toBe("v1");
    await deployed(name, "v2", { query: { regions: "wnam" } });
    const deployedAt = Date.now();
    let answer = "v1";
    while (answer === "v1" && Date.now() - deployedAt < 10_000) answer = (await isolate.run(name)).text;
    expect(answer).toBe("v2");
    // The bound plus room for a loaded machine; far below the 10 s the loop would allow.
    expect(Date.now() - deployedAt).toBeLessThan(ttlMs + 2_000);
    await isolate.settled();
  });

  it("runs exactly one whole version per invocation under a stream of redeploys", async () => {
    const name = freshName("stream");
    await deployed(name, "v1", { query: { regions: "wnam" } });
    const isolate = otherIsolate(0);
    let deploying = true;
    const redeploys = (async () => {
      for (const version of ["v2", "v1", "v2", "v1", "v2"]) await deployed(name, version as "v1" | "v2", { query: { regions: "wnam" } });
      deploying = false;
    })();
    const answers: { text: string; version: number }[] = [];
    while (deploying) answers.push(await isolate.run(name), { text: await textOf(await invoke(name, null)), version: -1 });
    await redeploys;
    expect(answers.length).toBeGreaterThan(0);
    for (const answer of answers) {
      expect(["v1", "v2"]).toContain(answer.text);
      // The whole version: an identical redeploy reuses version 1 or 2, so the text names the version that ran.
      if (answer.version !== -1) expect(answer.text).toBe(`v${answer.version}`);
    }
    expect((await isolate.run(name)).text).toBe("v2");
    expect(await textOf(await invoke(name, null))).toBe("v2");
    await isolate.settled();
  });

  it("a secret changed elsewhere reaches an isolate at its next check", async () => {
    const name = freshName("secret-elsewhere");
    const bytes = guestBytes("example:config-reader");
    const deploy = await request("PUT", `/v1/functions/${name}?profile=compute&regions=wnam`, {
      body: bytes,
      headers: { ...AUTH, "content-type": "application/wasm", "x-helios-sha256": await sha256Hex(bytes) },
    });
    expect(deploy.status).toBe(201);
    const put = (value: string) =>
      request("PUT", `/v1/functions/${name}/secrets/TOKEN`, { body: JSON.stringify({ value }), headers: { ...AUTH, "content-type": "application/json" } });
    expect((await put("first")).ok).toBe(true);
    const isolate = otherIsolate(0);
    expect(JSON.parse((await isolate.run(name, "TOKEN")).text)).toMatchObject({ value: "first" });
    expect((await put("second")).ok).toBe(true);
    expect(JSON.parse((await isolate.run(name, "TOKEN")).text)).toMatchObject({ value: "second" });
    await isolate.settled();
  });
});
