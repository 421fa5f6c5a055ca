// The region object: deployments per name (atomic swaps in sequence order), routing errors, payload cap, private functions,
// module store integrity, and the sandbox isolate's blocked network.

import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ModuleDigestMismatchError, ModuleMissingError, RegionObject, regionClient } from "../../src/regions/index.ts";
import {
  NotDeployedInRegionError,
  PayloadTooLargeError,
  sandboxWorkerCode,
  UnauthorizedError,
} from "../../src/runtime/index.ts";
import { poolMemberNames, regionMemberStub } from "../../src/regions/region-pool.ts";
import { activateGuest, bundleOf, freshName, guestBytes, invoke, storeGuest, text } from "./runtime-support.ts";

describe("region object: deployments", () => {
  it("applies deployments by sequence number, never by version number: rollbacks apply, late pushes do not", async () => {
    const name = freshName("swap");
    const wnam = regionClient(env, "wnam");
    const v1 = await activateGuest(name, "example:hello", { version: 1, seq: 10 });
    expect(text((await invoke(name, "v1")).output)).toBe("Hello, v1!");

    const v2 = await activateGuest(name, "example:echo", { version: 2, seq: 11 });
    expect(text((await invoke(name, "v2")).output)).toBe("v2");
    expect((await invoke(name, "v2")).version).toBe(2);

    // A late, reordered push of the first deployment changes nothing.
    expect(await wnam.activate(bundleOf(v1, 10))).toBe(false);
    expect(text((await invoke(name, "still v2")).output)).toBe("still v2");

    // A rollback is a newer deployment of an older version: it applies.
    expect(await wnam.activate(bundleOf(v1, 12))).toBe(true);
    expect((await invoke(name, "back")).version).toBe(1);
    expect(await wnam.deploymentStamp(name)).toBe(12);

    // A delete is a deployment too; an older one cannot revive the name, a newer one can.
    expect(await wnam.activate(bundleOf(v1, 11, "delete"))).toBe(false);
    expect(await wnam.activate(bundleOf(v1, 13, "delete"))).toBe(true);
    await expect(invoke(name, "gone")).rejects.toBeInstanceOf(NotDeployedInRegionError);
    expect(await wnam.activate(bundleOf(v2, 12))).toBe(false);

    await activateGuest(name, "example:hello", { version: 3, seq: 14 });
    expect(text((await invoke(name, "v3")).output)).toBe("Hello, v3!");
    expect((await wnam.activeVersions()).filter((v) => v.name === name).map((v) => v.version)).toEqual([3]);
    expect(v2.sha256).not.toBe(v1.sha256);
  });

  it("keeps each region's versions apart and answers not_deployed_in_region elsewhere", async () => {
    const name = freshName("regional");
    await activateGuest(name, "example:hello", { regions: ["wnam", "weur"] });
    expect((await invoke(name, "west", "wnam")).region).toBe("wnam");
    expect((await invoke(name, "europe", "weur")).region).toBe("weur");
    const failure = await invoke(name, "east", "enam").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(NotDeployedInRegionError);
    expect(failure).toMatchObject({ code: "not_deployed_in_region", functionName: name, region: "enam" });
  });
});

describe("region object: persistence", () => {
  it("rebuilds its deployments, deletes included, from its own storage", async () => {
    const name = freshName("persisted");
    const deleted = freshName("persisted");
    await activateGuest(name, "example:hello", { version: 4 });
    const gone = await activateGuest(deleted, "example:hello", { version: 2, seq: 100 });
    await regionClient(env, "wnam").activate(bundleOf(gone, 101, "delete"));

    const stub = env.REGION.get(env.REGION.idFromName("wnam"));
    await runInDurableObject(stub, async (_live, state) => {
      // A new instance over the same storage is what the runtime gets after the object is evicted.
      const fresh = new RegionObject(state, env);
      const active = await fresh.activeVersions();
      expect(active.ok && active.value.filter((v) => v.name === name || v.name === deleted).map((v) => v.version)).toEqual([4]);
      expect(await fresh.activate("wnam", bundleOf({ ...gone, version: 3 }, 101))).toEqual({ ok: true, value: false });
      const result = await fresh.invokeByName("wnam", name, new TextEncoder().encode("again").buffer as ArrayBuffer, { authorized: false });
      expect(result.ok && text(result.value.output)).toBe("Hello, again!");
    });
  });
});

describe("region object: admission", () => {
  it("refuses a payload over the function's limit before running anything", async () => {
    const name = freshName("capped");
    await activateGuest(name, "example:echo", { limits: { maxPayloadBytes: 8 } });
    expect(text((await invoke(name, "12345678")).output)).toBe("12345678");
    const failure = await invoke(name, "123456789").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PayloadTooLargeError);
    expect(failure).toMatchObject({ code: "payload_too_large", size: 9, limit: 8 });
  });

  it("runs a private function only for an authorized caller", async () => {
    const name = freshName("private");
    await activateGuest(name, "example:hello", { private: true });
    await expect(invoke(name, "anyone")).rejects.toBeInstanceOf(UnauthorizedError);
    expect(text((await invoke(name, "owner", "wnam", true)).output)).toBe("Hello, owner!");
  });
});

describe("region object: module store", () => {
  it("refuses to run bytes that do not match the version's digest", async () => {
    const name = freshName("tampered");
    // A region no other test uses, so its module cache (keyed by digest) cannot already hold the genuine bytes.
    const version = await storeGuest(name, "example:hello", { regions: ["oc"] });
    // Other bytes under a key of its own, named by a version that claims the genuine digest.
    const moduleKey = `instrumented/tampered-${name}.wasm`;
    await env.MODULES.put(moduleKey, guestBytes("example:echo"));
    await regionClient(env, "oc").activate(bundleOf({ ...version, moduleKey }));
    const failure = await invoke(name, "x", "oc").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ModuleDigestMismatchError);
    expect(failure).toMatchObject({ code: "module_digest_mismatch", key: moduleKey, expected: version.instrumentedSha256 });
  });
  it("reads the module store once per module in each pool member, not on every invocation", async () => {
    const name = freshName("cached");
    // An unusual memory cap gives this test instrumented bytes (and an R2 key) no other test shares.
    const version = await activateGuest(name, "example:hello", { regions: ["eeur"], limits: { maxMemoryPages: 13 } });
    const onMember = async (member: string, input: string) => {
      const result = await regionMemberStub(env, "eeur", member).invokeByName("eeur", name, new TextEncoder().encode(input).buffer as ArrayBuffer, { authorized: false });
      const answer = result as { ok: boolean; value?: { output: Uint8Array }; error?: { code: string } };
      return answer.ok ? text(answer.value!.output) : answer.error?.code;
    };
    // Every member loads the module once (each has its own cache)...
    for (const member of poolMemberNames("eeur")) expect(await onMember(member, "one")).toBe("Hello, one!");
    await env.MODULES.delete(version.moduleKey);
    // ...and none reads the store again.
    for (const member of poolMemberNames("eeur")) expect(await onMember(member, "two")).toBe("Hello, two!");
  });

  it("reports a version whose module object is missing", async () => {
    const name = freshName("missing");
    const version = await storeGuest(name, "example:hello", { regions: ["afr"] });
    const moduleKey = `instrumented/missing-${name}.wasm`;
    await regionClient(env, "afr").activate(bundleOf({ ...version, moduleKey }));
    const failure = await invoke(name, "x", "afr").catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ModuleMissingError);
    expect(failure).toMatchObject({ code: "module_missing", key: moduleKey });
  });
});

interface Prober {
  probe(url: string): Promise<string>;
}

describe("sandbox isolate: network", () => {
  const PROBE = `
    import { WorkerEntrypoint } from "cloudflare:workers";
    export default class extends WorkerEntrypoint {
      async probe(url) {
        try { const r = await fetch(url); return "reached " + r.status; } catch (e) { return "blocked: " + e.message; }
      }
    }`;

  it("has no network: fetch() fails in the isolate the runtime builds, and works with an outbound given", async () => {
    const settings = { functionName: "probe", region: "wnam", profile: ["minimal"], maxMemoryPages: 1, config: {}, allowedHosts: [] };
    const code = sandboxWorkerCode(settings, guestBytes("wat:counter").slice().buffer);
    // The runtime's exact isolate options, with only the entry module swapped for the probe.
    const probeCode = { ...code, modules: { ...code.modules, "sandbox.js": PROBE } };
    const probe = (workerCode: WorkerLoaderWorkerCode) =>
      env.LOADER.get(freshName("probe"), () => workerCode).getEntrypoint() as unknown as Prober;

    expect(probeCode.globalOutbound).toBeNull();
    expect(await probe(probeCode).probe("http://helios.test/healthz")).toMatch(
      /^blocked: .*not permitted to access the internet/,
    );
    // Control: the same probe given an outbound (this Worker) reaches it, so the refusal above is the setting's.
    const thisWorker = (exports as unknown as { default: Fetcher }).default;
    expect(await probe({ ...probeCode, globalOutbound: thisWorker }).probe("http://helios.test/healthz")).toBe("reached 200");
  });
});
