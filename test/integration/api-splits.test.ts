// Percentage splits over the API: a 90/10 split measured over 300 invocations, sticky routing keys, refusals.
// A file of its own: the 1,000 invocations run in a runtime no other test has loaded.

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { regionClient } from "../../src/regions/index.ts";
import { registryStub } from "../../src/registry/index.ts";
import { AUTH, deployed, deployRaw, errorOf, freshName, guest, invoke, request, storedState, textOf, type FunctionJson } from "./api-support.ts";

import { countVersions, type DeployJson, type DeploymentJson, json, ok } from "./deployment-support.ts";

/** v1 and v2 deployed to wnam: the constant guests answer "v1" and "v2", so version N answers "vN". */
async function twoVersions(prefix: string, regions = "wnam"): Promise<string> {
  const name = freshName(prefix);
  await deployed(name, "v1", { query: { regions } });
  await deployed(name, "v2", { query: { regions } });
  return name;
}

describe("percentage splits", () => {
  it("serves a 90/10 split in proportion over 300 invocations (1,000 over HTTP: test/e2e)", { timeout: 300_000 }, async () => {
    const name = await twoVersions("split");
    const { deployment } = await ok<{ deployment: DeploymentJson }>(
      json("POST", `/v1/functions/${name}/deployments`, { versions: [{ version: 1, percent: 90 }, { version: 2, percent: 10 }] }),
    );
    expect(deployment).toMatchObject({ kind: "split", regions: ["wnam"] });
    const counts = await countVersions(name, 300);
    expect((counts.get(1) ?? 0) + (counts.get(2) ?? 0)).toBe(300);
    // Binomial(300, 0.1) has a standard deviation of 5.2: 9..51 is four of them either side of 30.
    expect(counts.get(2) ?? 0).toBeGreaterThanOrEqual(9);
    expect(counts.get(2) ?? 0).toBeLessThanOrEqual(51);
  });

  it("is sticky per routing key: the same key runs the same version of the split", async () => {
    // How evenly keys spread over a split is a property of splitPoint (src/runtime/deployment.test.ts, 10,000 keys).
    const name = await twoVersions("sticky");
    await ok(json("POST", `/v1/functions/${name}/deployments`, { versions: [{ version: 2, percent: 50 }, { version: 1, percent: 50 }] }));
    const seen = new Set<string | null>();
    for (const key of ["user-1", "user-2", "user-3", "user-4", "user-5", "user-6"]) {
      const versions = new Set<string | null>();
      for (let i = 0; i < 5; i++) versions.add((await invoke(name, null, { region: "wnam", headers: { "x-helios-routing-key": key } })).headers.get("x-helios-version"));
      expect(versions.size).toBe(1);
      seen.add([...versions][0]);
    }
    // The hash is fixed, so these six keys always land the same way: on both sides of the split.
    expect(seen).toEqual(new Set(["1", "2"]));
  });

  it("refuses splits that do not add up, repeat a version, or name a missing one", async () => {
    const name = await twoVersions("badsplit");
    const path = `/v1/functions/${name}/deployments`;
    expect((await errorOf(await json("POST", path, { versions: [{ version: 1, percent: 60 }, { version: 2, percent: 30 }] }))).message).toMatch(/add up to 100/);
    expect((await errorOf(await json("POST", path, { versions: [{ version: 1, percent: 50 }, { version: 1, percent: 50 }] }))).message).toMatch(/twice/);
    expect((await errorOf(await json("POST", path, { version: 1, versions: [{ version: 1, percent: 100 }] }))).code).toBe("invalid_request");
    expect((await errorOf(await json("POST", path, { version: 1, regions: ["nowhere"] }))).field).toBe("regions.0");
    expect(await errorOf(await json("POST", path, { versions: [{ version: 1, percent: 50 }, { version: 7, percent: 50 }] }))).toMatchObject({ code: "unknown_version", version: 7 });
    expect(await textOf(await invoke(name, null, { region: "wnam" }))).toBe("v2");
  });
});

