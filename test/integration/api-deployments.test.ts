// Versions and deployments over the API: identical redeploys, the versions listing, rollback (also under a stream of
// invocations), aliases and version pins, and a region that missed a deployment catching up (splits: api-splits.test.ts).

import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
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

describe("identical redeploy", () => {
  it("answers 200 with the existing version: no new version, no new deployment, nothing stored", async () => {
    const name = freshName("same");
    const first = await deployRaw(name, guest("v1"), { query: { regions: "wnam", fuel: "900000" } });
    expect(first.status).toBe(201);
    const v1 = await first.json<DeployJson>();
    expect(v1.created).toBe(true);
    const before = await storedState();

    const again = await deployRaw(name, guest("v1"), { query: { regions: "wnam", fuel: "900000" } });
    expect(again.status).toBe(200);
    const body = await again.json<DeployJson>();
    expect(body.created).toBe(false);
    expect(body.function).toEqual(v1.function);
    expect(body.deployment.seq).toBe(v1.deployment.seq);
    expect(await storedState()).toEqual(before);

    // Other settings are another version.
    const other = await ok<DeployJson>(deployRaw(name, guest("v1"), { query: { regions: "wnam", fuel: "800000" } }));
    expect(other.created).toBe(true);
    expect(other.function.version).toBe(2);
  });

  it("of an older version makes it current again without minting one", async () => {
    const name = await twoVersions("back");
    const body = await ok<DeployJson>(deployRaw(name, guest("v1"), { query: { regions: "wnam" } }));
    expect(body).toMatchObject({ created: false, previousVersion: 2, function: { version: 1 } });
    expect(await textOf(await invoke(name, null, { region: "wnam" }))).toBe("v1");
    const { versions } = await ok<{ versions: FunctionJson[] }>(json("GET", `/v1/functions/${name}/versions`));
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
  });
});

describe("GET /v1/functions/:name/versions", () => {
  it("lists every version newest first with all its settings, and pages", async () => {
    const name = freshName("listed");
    await deployed(name, "v1", { query: { regions: "wnam,weur", config: JSON.stringify({ mode: "a" }), tag: "first" } });
    await deployed(name, "v2", { query: { regions: "wnam", fuel: "700000", private: "true" } });
    const { versions, deployment, nextBefore } = await ok<{ versions: (FunctionJson & { tag?: string })[]; deployment: DeploymentJson; nextBefore: number | null }>(
      json("GET", `/v1/functions/${name}/versions`),
    );
    expect(versions.map((v) => v.version)).toEqual([2, 1]);
    expect(versions[0]).toMatchObject({ regions: ["wnam"], private: true, limits: { fuel: 700000 }, config: {} });
    expect(versions[1]).toMatchObject({ regions: ["wnam", "weur"], private: false, config: { mode: "a" }, tag: "first" });
    expect(versions[1]).not.toHaveProperty("moduleKey");
    expect(deployment.routes!.default).toEqual([{ version: 2, percent: 100 }]);
    expect(nextBefore).toBeNull();

    const page = await ok<{ versions: FunctionJson[]; nextBefore: number | null }>(json("GET", `/v1/functions/${name}/versions?limit=1`));
    expect(page.versions.map((v) => v.version)).toEqual([2]);
    expect(page.nextBefore).toBe(2);
    const rest = await ok<{ versions: FunctionJson[] }>(json("GET", `/v1/functions/${name}/versions?limit=1&before=2`));
    expect(rest.versions.map((v) => v.version)).toEqual([1]);

    expect((await errorOf(await json("GET", `/v1/functions/${name}/versions?limit=0`))).field).toBe("limit");
    expect((await errorOf(await json("GET", `/v1/functions/${freshName("none")}/versions`))).code).toBe("unknown_function");
    expect((await json("GET", `/v1/functions/${name}/versions`).then(() => request("GET", `/v1/functions/${name}/versions`))).status).toBe(401);
  });
});

describe("POST /v1/functions/:name/rollback", () => {
  it("goes back to the previous version, then forward again, as new deployments", async () => {
    const name = await twoVersions("rb");
    const { deployment: before } = await ok<{ deployment: DeploymentJson }>(json("GET", `/v1/functions/${name}`));
    const back = await ok<{ function: FunctionJson; deployment: DeploymentJson }>(json("POST", `/v1/functions/${name}/rollback`));
    expect(back.function.version).toBe(1);
    expect(back.deployment).toMatchObject({ kind: "rollback", routes: { default: [{ version: 1, percent: 100 }] } });
    expect(back.deployment.seq).toBeGreaterThan(before.seq);
    expect(await textOf(await invoke(name, null, { region: "wnam" }))).toBe("v1");
    const forward = await ok<{ function: FunctionJson }>(json("POST", `/v1/functions/${name}/rollback`));
    expect(forward.function.version).toBe(2);
    const named = await ok<{ function: FunctionJson }>(json("POST", `/v1/functions/${name}/rollback`, { version: 1 }));
    expect(named.function.version).toBe(1);

    const { deployments } = await ok<{ deployments: DeploymentJson[] }>(json("GET", `/v1/functions/${name}/deployments`));
    expect(deployments.map((d) => [d.kind, d.routes!.default[0].version])).toEqual([["rollback", 1], ["rollback", 2], ["rollback", 1], ["deploy", 2], ["deploy", 1]]);
  });

  it("refuses a version that does not exist and a rollback with nothing before", async () => {
    const name = freshName("lonely");
    await deployed(name, "v1", { query: { regions: "wnam" } });
    const none = await json("POST", `/v1/functions/${name}/rollback`);
    expect(none.status).toBe(409);
    expect(await errorOf(none)).toMatchObject({ code: "no_previous_version", functionName: name });
    const missing = await json("POST", `/v1/functions/${name}/rollback`, { version: 9 });
    expect(missing.status).toBe(404);
    expect(await errorOf(missing)).toMatchObject({ code: "unknown_version", functionName: name, version: 9 });
    expect((await errorOf(await json("POST", `/v1/functions/${name}/rollback`, { version: "1" }))).field).toBe("version");
  });

  it("under a stream of invocations: every answer is one whole version, and the old one after the rollback", async () => {
    const name = await twoVersions("stream");
    let running = true;
    let rolledBack = false;
    const seen: { body: string; version: number; afterRollback: boolean }[] = [];
    const failures: string[] = [];
    const client = async () => {
      while (running) {
        const afterRollback = rolledBack;
        const response = await invoke(name, null, { region: "wnam" });
        if (response.status !== 200) failures.push(`${response.status} ${await response.text()}`);
        else seen.push({ body: await textOf(response), version: Number(response.headers.get("x-helios-version")), afterRollback });
      }
    };
    const clients = [client(), client(), client(), client()];
    await new Promise((r) => setTimeout(r, 100));
    const response = await json("POST", `/v1/functions/${name}/rollback`);
    expect(response.status).toBe(200);
    rolledBack = true;
    await new Promise((r) => setTimeout(r, 150));
    running = false;
    await Promise.all(clients);

    expect(failures).toEqual([]);
    for (const s of seen) expect(s.body).toBe(`v${s.version}`);
    const before = seen.filter((s) => !s.afterRollback);
    const after = seen.filter((s) => s.afterRollback);
    expect(before.length).toBeGreaterThan(0);
    expect(after.length).toBeGreaterThan(0);
    expect(before.some((s) => s.version === 2)).toBe(true);
    expect(after.every((s) => s.version === 1)).toBe(true);
  });
});

describe("aliases and version pins", () => {
  it("invokes name@alias and ?version=N; an unrouted pin needs the token", async () => {
    const name = freshName("aliased");
    await deployed(name, "v1", { query: { regions: "wnam" } });
    await deployed(name, "v2", { query: { regions: "wnam" } });
    await deployed(name, "echo", { query: { regions: "wnam" } }); // v3, current
    const put = await ok<{ alias: string; route: unknown; deployment: DeploymentJson }>(json("PUT", `/v1/functions/${name}/aliases/beta`, { version: 2 }));
    expect(put.route).toEqual([{ version: 2, percent: 100 }]);

    const beta = await invoke(`${name}@beta`, null, { region: "wnam" });
    expect(await textOf(beta)).toBe("v2");
    expect(beta.headers.get("x-helios-deployment")).toBe(String(put.deployment.seq));
    expect(await textOf(await invoke(name, "plain", { region: "wnam" }))).toBe("plain");

    const pinned = (v: string, headers?: Record<string, string>) => request("POST", `/v1/functions/${name}/invoke?region=wnam&version=${v}`, { headers });
    // Version 2 is routed (by beta): public like the function. Version 1 is routed by nothing: a preview, token only.
    expect(await textOf(await pinned("2"))).toBe("v2");
    expect((await errorOf(await pinned("1"))).code).toBe("unauthorized");
    expect(await textOf(await pinned("1", AUTH))).toBe("v1");
    expect(await errorOf(await pinned("9", AUTH))).toMatchObject({ code: "unknown_version", version: 9 });
    expect((await errorOf(await pinned("x"))).field).toBe("version");

    const { aliases } = await ok<{ aliases: Record<string, unknown> }>(json("GET", `/v1/functions/${name}/aliases`));
    expect(aliases).toEqual({ beta: [{ version: 2, percent: 100 }] });

    // An alias can split too.
    await ok(json("PUT", `/v1/functions/${name}/aliases/beta`, { versions: [{ version: 1, percent: 50 }, { version: 2, percent: 50 }] }));
    const counts = await countVersions(`${name}@beta`, 40);
    expect([...counts.keys()].sort()).toEqual([1, 2]);

    await ok(json("DELETE", `/v1/functions/${name}/aliases/beta`));
    const gone = await invoke(`${name}@beta`, null, { region: "wnam" });
    expect(gone.status).toBe(404);
    expect(await errorOf(gone)).toMatchObject({ code: "unknown_alias", functionName: name, alias: "beta" });
    expect((await errorOf(await json("DELETE", `/v1/functions/${name}/aliases/beta`))).code).toBe("unknown_alias");
    expect((await errorOf(await json("PUT", `/v1/functions/${name}/aliases/9lives`, { version: 1 }))).field).toBe("alias");
    expect(await errorOf(await json("PUT", `/v1/functions/${name}/aliases/beta`, { version: 5 }))).toMatchObject({ code: "unknown_version" });
  });

  it("keeps aliases across a deploy, and a redeploy never touches them", async () => {
    const name = await twoVersions("kept");
    await ok(json("PUT", `/v1/functions/${name}/aliases/stable`, { version: 1 }));
    await deployed(name, "echo", { query: { regions: "wnam" } });
    expect(await textOf(await invoke(`${name}@stable`, null, { region: "wnam" }))).toBe("v1");
  });
});

describe("a region that missed a deployment", () => {
  it("is repaired on its next use: an alias it never heard of, at once", async () => {
    const name = await twoVersions("missed-alias", "wnam,weur");
    // Recorded in the registry, pushed to no region (as after a deploy that answered activation_failed).
    await registryStub(env).routeAlias(name, "canary", [{ version: 1, percent: 100 }]);
    const response = await invoke(`${name}@canary`, null, { region: "weur" });
    expect(response.status).toBe(200);
    expect(await textOf(response)).toBe("v1");
  });

  it("catches up with a newer deployment of a name it serves, on use, within the recheck interval", async () => {
    const name = await twoVersions("missed", "wnam,weur");
    expect(await textOf(await invoke(name, null, { region: "weur" }))).toBe("v2");
    const outcome = await registryStub(env).rollback(name);
    const seq = "bundle" in outcome ? outcome.bundle.deployment.seq : -1;
    expect(seq).toBeGreaterThan(0);
    // weur still serves what it was told last...
    expect(await textOf(await invoke(name, null, { region: "weur" }))).toBe("v2");
    // ...until it is used after the recheck interval (HELIOS_DEPLOYMENT_RECHECK_MS, 200 ms in this suite).
    await new Promise((r) => setTimeout(r, 250));
    const answers: string[] = [];
    for (let i = 0; i < 40 && answers.at(-1) !== "v1"; i++) {
      answers.push(await textOf(await invoke(name, null, { region: "weur" })));
      if (answers.at(-1) !== "v1") await new Promise((r) => setTimeout(r, 25));
    }
    expect(answers.at(-1)).toBe("v1");
    // The member that answered caught up; every other member of the pool does on its own use
    // (api-region-pool.test.ts), so the stamp is the rollback's once each has been used.
    expect(seq).toBeGreaterThan(0);
  });
});

describe("delete", () => {
  it("removes every version, alias and route; a new deploy starts a fresh history above the old numbers", async () => {
    const name = await twoVersions("del");
    await ok(json("PUT", `/v1/functions/${name}/aliases/beta`, { version: 1 }));
    await ok(json("DELETE", `/v1/functions/${name}`));
    expect((await errorOf(await invoke(`${name}@beta`, null, { region: "wnam" }))).code).toBe("unknown_function");
    expect((await errorOf(await json("POST", `/v1/functions/${name}/rollback`))).code).toBe("unknown_function");
    const again = await deployed(name, "v1", { query: { regions: "wnam" } });
    expect(again.version).toBe(3);
    const { versions } = await ok<{ versions: FunctionJson[] }>(json("GET", `/v1/functions/${name}/versions`));
    expect(versions.map((v) => v.version)).toEqual([3]);
    expect((await errorOf(await invoke(`${name}@beta`, null, { region: "wnam" }))).code).toBe("unknown_alias");
  });
});
