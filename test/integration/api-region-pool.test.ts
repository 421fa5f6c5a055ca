// The pool of region objects per region (src/regions/region-pool.ts): invocations spread over its members, every
// member receives every deployment and secret change, and a member that missed a push catches up on its own.

import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { REGION_POOL_SIZE, poolMemberName, poolMemberNames } from "../../src/regions/index.ts";
import { regionMemberStub } from "../../src/regions/region-pool.ts";
import { registryStub } from "../../src/registry/index.ts";
import { AUTH, deployed, freshName, invoke, request, sha256Hex, textOf } from "./api-support.ts";
import { guestBytes } from "./runtime-support.ts";

const members = (region: string) => poolMemberNames(region).map((member) => regionMemberStub(env, region, member));
const payload = (text: string) => new TextEncoder().encode(text).buffer as ArrayBuffer;

/** What one member answers for `name` (the constant guests answer "v1", "v2"; config-reader a JSON object). */
async function memberAnswer(region: string, k: number, name: string, input = ""): Promise<string> {
  const result = await regionMemberStub(env, region, poolMemberName(region, k)).invokeByName(region, name, payload(input), { authorized: false });
  const answer = result as { ok: boolean; value?: { output: Uint8Array }; error?: { code: string } };
  if (!answer.ok) throw new Error(`member ${k}: ${answer.error?.code}`);
  return new TextDecoder().decode(answer.value!.output);
}

describe("region pool", () => {
  it(`has ${REGION_POOL_SIZE} members, and an explicitly requested region's invocations spread over them`, async () => {
    expect(REGION_POOL_SIZE).toBe(8);
    const name = freshName("spread");
    await deployed(name, "v1", { query: { regions: "weur" } });
    const before = await Promise.all(members("weur").map((m) => m.invocationCount()));
    for (let i = 0; i < 64; i++) expect(await textOf(await invoke(name, null, { region: "weur" }))).toBe("v1");
    const after = await Promise.all(members("weur").map((m) => m.invocationCount()));
    const ran = after.map((n, k) => n - before[k]!);
    expect(ran.reduce((a, b) => a + b, 0)).toBe(64);
    // 64 random picks over 8 members: all on one member has probability 8^-63; at least 3 members used is near certain.
    expect(ran.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
  });

  it("every member receives every deployment: each one runs the deployed version", async () => {
    const name = freshName("every");
    await deployed(name, "v1", { query: { regions: "weur" } });
    const second = await deployed(name, "v2", { query: { regions: "weur" } });
    const { current } = { current: await registryStub(env).currentDeployment(name) };
    for (const [k, member] of members("weur").entries()) {
      const stamp = await member.deploymentStamp(name);
      expect(stamp).toEqual({ ok: true, value: current!.deployment.seq });
      expect(await memberAnswer("weur", k, name)).toBe("v2");
    }
    expect(second.version).toBe(2);
  });

  it("every member receives a secret change: each one reads the new value at once", async () => {
    const name = freshName("pool-secret");
    const bytes = guestBytes("example:config-reader");
    const deploy = await request("PUT", `/v1/functions/${name}?profile=compute&regions=weur`, {
      body: bytes,
      headers: { ...AUTH, "content-type": "application/wasm", "x-helios-sha256": await sha256Hex(bytes) },
    });
    expect(deploy.status).toBe(201);
    const put = (value: string) =>
      request("PUT", `/v1/functions/${name}/secrets/TOKEN`, { body: JSON.stringify({ value }), headers: { ...AUTH, "content-type": "application/json" } });
    expect((await put("first")).ok).toBe(true);
    for (let k = 0; k < REGION_POOL_SIZE; k++) expect(JSON.parse(await memberAnswer("weur", k, name, "TOKEN"))).toMatchObject({ value: "first" });
    expect((await put("second")).ok).toBe(true);
    for (let k = 0; k < REGION_POOL_SIZE; k++) expect(JSON.parse(await memberAnswer("weur", k, name, "TOKEN"))).toMatchObject({ value: "second" });
  });

  it("a member that missed a push catches up on its own use, within the recheck interval", async () => {
    const name = freshName("pool-missed");
    await deployed(name, "v1", { query: { regions: "weur" } });
    await deployed(name, "v2", { query: { regions: "weur" } });
    // Recorded in the registry and pushed to member 0 only: members 1.. missed it.
    const outcome = await registryStub(env).rollback(name);
    if (!("bundle" in outcome)) throw new Error("rollback refused");
    const seq = outcome.bundle.deployment.seq;
    expect(await regionMemberStub(env, "weur", poolMemberName("weur", 0)).activate("weur", outcome.bundle, false)).toEqual({ ok: true, value: true });
    expect(await memberAnswer("weur", 0, name)).toBe("v1");
    expect(await memberAnswer("weur", 1, name)).toBe("v2");
    // After the recheck interval (HELIOS_DEPLOYMENT_RECHECK_MS, 200 ms in this suite) each member's next use starts
    // its catch-up; within a few uses every member runs v1.
    await new Promise((r) => setTimeout(r, 250));
    for (let k = 1; k < REGION_POOL_SIZE; k++) {
      let answer = await memberAnswer("weur", k, name);
      for (let i = 0; i < 40 && answer !== "v1"; i++) {
        await new Promise((r) => setTimeout(r, 25));
        answer = await memberAnswer("weur", k, name);
      }
      expect(answer).toBe("v1");
      expect(await regionMemberStub(env, "weur", poolMemberName("weur", k)).deploymentStamp(name)).toEqual({ ok: true, value: seq });
    }
  });
});
