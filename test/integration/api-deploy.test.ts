// Deploy, list, get and delete through the HTTP API, and every way a deploy can be refused.

import { describe, expect, it } from "vitest";
import { LIMIT_CEILINGS, DEFAULT_LIMITS } from "../../src/runtime/index.ts";
import { MAX_MODULE_BYTES } from "../../src/api/index.ts";
import { padWithCustomSection } from "../support/custom-section.ts";
import {
  AUTH,
  deployed,
  deployRaw,
  errorOf,
  freshName,
  guest,
  invoke,
  request,
  sha256Hex,
  storedState,
  textOf,
  withheldBody,
  type FunctionJson,
} from "./api-support.ts";

describe("PUT /v1/functions/:name (raw application/wasm)", () => {
  it("deploys with defaults, stores original and instrumented bytes by digest, and serves the function", async () => {
    const name = freshName("echo");
    const bytes = guest("echo");
    const response = await deployRaw(name, bytes);
    expect(response.status).toBe(201);
    const body = await response.json<{ function: FunctionJson; previousVersion: number | null }>();
    expect(body.previousVersion).toBeNull();
    expect(body.function).toMatchObject({
      name,
      version: 1,
      sha256: await sha256Hex(bytes),
      regions: ["wnam", "enam", "weur", "apac"],
      profile: ["minimal"],
      limits: DEFAULT_LIMITS,
      config: {},
      private: false,
    });
    expect(body.function).not.toHaveProperty("moduleKey");
    const { objects } = await storedState();
    expect(objects).toContain(`modules/${body.function.sha256}.wasm`);
    expect(objects).toContain(`instrumented/${body.function.instrumentedSha256}.wasm`);

    const invoked = await invoke(name, "ping", { region: "apac" });
    expect(invoked.status).toBe(200);
    expect(await textOf(invoked)).toBe("ping");
  });

  it("reads settings from query parameters and x-helios-* headers", async () => {
    const name = freshName("settings");
    const fn = await deployed(name, "echo", {
      query: { regions: "wnam,weur", fuel: "5000", maxPayloadBytes: "2048" },
      headers: {
        "x-helios-max-memory-pages": "4",
        "x-helios-max-response-bytes": "4096",
        "x-helios-private": "true",
        "x-helios-config": JSON.stringify({ GREETING: "hi" }),
        "x-helios-profile": "minimal",
      },
    });
    expect(fn).toMatchObject({
      regions: ["wnam", "weur"],
      limits: { fuel: 5000, maxMemoryPages: 4, maxPayloadBytes: 2048, maxResponseBytes: 4096 },
      private: true,
      config: { GREETING: "hi" },
    });
  });

  it("redeploys as a new version, switching every region, and keeps history", async () => {
    const name = freshName("swap");
    const v1 = await deployed(name, "v1", { query: { regions: "wnam,weur" } });
    const response = await deployRaw(name, guest("v2"), { query: { regions: "wnam" } });
    expect(response.status).toBe(200);
    const body = await response.json<{ function: FunctionJson; previousVersion: number }>();
    expect(body.function.version).toBe(2);
    expect(body.previousVersion).toBe(1);

    const wnam = await invoke(name, null, { region: "wnam" });
    expect(await textOf(wnam)).toBe("v2");
    expect(wnam.headers.get("x-helios-version")).toBe("2");
    // The new version left weur, so weur no longer serves the old one.
    expect((await errorOf(await invoke(name, null, { region: "weur" }))).code).toBe("not_deployed_in_region");

    const detail = await request("GET", `/v1/functions/${name}`, { headers: AUTH });
    const { function: current, history } = await detail.json<{ function: FunctionJson; history: { version: number; sha256: string }[] }>();
    expect(current.version).toBe(2);
    expect(history.map((h) => [h.version, h.sha256])).toEqual([
      [2, body.function.sha256],
      [1, v1.sha256],
    ]);
  });
});

describe("PUT /v1/functions/:name (multipart)", () => {
  it("takes a JSON manifest part and a module part", async () => {
    const name = freshName("multi");
    const bytes = guest("echo");
    const form = new FormData();
    form.set(
      "manifest",
      JSON.stringify({ sha256: await sha256Hex(bytes), regions: ["enam"], limits: { fuel: 12345 }, config: { A: "1" } }),
    );
    form.set("module", new File([bytes], "echo.wasm", { type: "application/wasm" }));
    const response = await request("PUT", `/v1/functions/${name}`, { body: form, headers: AUTH });
    expect(response.status).toBe(201);
    const { function: fn } = await response.json<{ function: FunctionJson }>();
    expect(fn).toMatchObject({ regions: ["enam"], limits: { ...DEFAULT_LIMITS, fuel: 12345 }, config: { A: "1" } });
    expect(await textOf(await invoke(name, "x", { region: "enam" }))).toBe("x");
  });

  it("accepts the sha256 from the header and names a missing part", async () => {
    const bytes = guest("echo");
    const form = new FormData();
    form.set("manifest", JSON.stringify({ regions: ["wnam"] }));
    form.set("module", new File([bytes], "m.wasm"));
    const ok = await request("PUT", `/v1/functions/${freshName("hdr")}`, {
      body: form,
      headers: { ...AUTH, "x-helios-sha256": await sha256Hex(bytes) },
    });
    expect(ok.status).toBe(201);

    const noModule = new FormData();
    noModule.set("manifest", "{}");
    const error = await errorOf(await request("PUT", `/v1/functions/${freshName("nomod")}`, { body: noModule, headers: AUTH }));
    expect(error).toMatchObject({ code: "invalid_request", field: "module" });

    const badJson = new FormData();
    badJson.set("manifest", "{not json");
    badJson.set("module", new File([bytes], "m.wasm"));
    const error2 = await errorOf(await request("PUT", `/v1/functions/${freshName("badjson")}`, { body: badJson, headers: AUTH }));
    expect(error2).toMatchObject({ code: "invalid_request", field: "manifest" });
  });
});

describe("GET /v1/functions, GET and DELETE /v1/functions/:name", () => {
  it("lists deployed functions, gets one, deletes it, and then knows nothing of it", async () => {
    const name = freshName("life");
    const fn = await deployed(name, "hello", { query: { regions: "wnam,apac" } });

    const list = await request("GET", "/v1/functions", { headers: AUTH });
    expect(list.status).toBe(200);
    const { functions } = await list.json<{ functions: FunctionJson[] }>();
    expect(functions.find((f) => f.name === name)).toMatchObject({ version: 1, sha256: fn.sha256 });

    const got = await request("GET", `/v1/functions/${name}`, { headers: AUTH });
    expect(got.status).toBe(200);
    expect((await got.json<{ function: FunctionJson }>()).function).toEqual(fn);

    const deleted = await request("DELETE", `/v1/functions/${name}`, { headers: AUTH });
    expect(deleted.status).toBe(200);
    expect(await deleted.json()).toEqual({ deleted: name, lastVersion: 1 });

    expect((await errorOf(await request("GET", `/v1/functions/${name}`, { headers: AUTH }))).code).toBe("unknown_function");
    expect((await errorOf(await request("DELETE", `/v1/functions/${name}`, { headers: AUTH }))).code).toBe("unknown_function");
    for (const region of ["wnam", "apac"]) {
      const response = await invoke(name, null, { region });
      expect(response.status).toBe(404);
      expect((await errorOf(response)).code).toBe("unknown_function");
    }
    const after = await (await request("GET", "/v1/functions", { headers: AUTH })).json<{ functions: FunctionJson[] }>();
    expect(after.functions.some((f) => f.name === name)).toBe(false);
  });

  it("numbers a redeploy after delete above every earlier version, and serves it", async () => {
    const name = freshName("again");
    await deployed(name, "v1");
    await request("DELETE", `/v1/functions/${name}`, { headers: AUTH });
    const fn = await deployed(name, "v2");
    expect(fn.version).toBe(2); // never 1 again: a number names one version only, also across deletes
    expect(await textOf(await invoke(name))).toBe("v2");
  });
});

describe("deploy refusals (each stores nothing)", () => {
  async function refused(response: Promise<Response>, status: number, code: string) {
    const before = await storedState();
    const answer = await response;
    expect(answer.status).toBe(status);
    const error = await errorOf(answer);
    expect(error.code).toBe(code);
    expect(await storedState()).toEqual(before);
    return error;
  }

  it("hash_mismatch: the declared sha256 is not the module's", async () => {
    // Bytes no other test deploys, so "nothing stored" cannot be hidden by an object that already existed.
    const bytes = padWithCustomSection(guest("echo"), guest("echo").length + 64 + (Date.now() % 4096));
    const wrong = "0".repeat(64);
    const name = freshName("hash");
    const error = await refused(deployRaw(name, bytes, { sha256: wrong }), 400, "hash_mismatch");
    const actual = await sha256Hex(bytes);
    expect(error).toMatchObject({ expected: wrong, actual });
    expect((await storedState()).objects).not.toContain(`modules/${actual}.wasm`);
    expect((await errorOf(await request("GET", `/v1/functions/${name}`, { headers: AUTH }))).code).toBe("unknown_function");
    // The same bytes with the right hash deploy fine: the refusal was about the hash alone.
    expect((await deployRaw(name, bytes)).status).toBe(201);
    expect((await storedState()).objects).toContain(`modules/${actual}.wasm`);
  });

  it("bad_module: not WebAssembly, with the byte offset", async () => {
    const garbage = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0xff, 0xff]);
    const error = await refused(deployRaw(freshName("bad"), garbage), 400, "bad_module");
    expect(typeof error.offset).toBe("number");
    await refused(deployRaw(freshName("bad"), new TextEncoder().encode("hello")), 400, "bad_module");
    // Sections that decode around a body that does not (`br 2` in a function with one block): V8 refuses it too, and
    // the answer still names the bad instruction's offset, not just "failed WebAssembly validation".
    const badBody = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00,
      0x0a, 0x09, 0x01, 0x07, 0x00, 0x02, 0x40, 0x0c, 0x02, 0x0b, 0x0b]);
    const inBody = await refused(deployRaw(freshName("bad"), badBody), 400, "bad_module");
    expect(inBody.offset).toBeGreaterThanOrEqual(23);
  });

  it("policy_violation: imports outside the profile, memory over the cap, missing ABI exports", async () => {
    const imports = await refused(deployRaw(freshName("imp"), guest("forbidden-import")), 422, "policy_violation");
    expect(imports.violations).toEqual([expect.objectContaining({ rule: "import_not_allowed" })]);
    const memory = await refused(
      deployRaw(freshName("mem"), guest("big-memory"), { query: { maxMemoryPages: "16" } }),
      422,
      "policy_violation",
    );
    expect(memory.violations).toEqual([expect.objectContaining({ rule: "memory_pages" })]);
    const abi = await refused(deployRaw(freshName("abi"), guest("no-handler")), 422, "policy_violation");
    expect(JSON.stringify(abi.violations)).toContain("handle");
  });

  it("unsupported_feature: a proposal the runtime does not run", async () => {
    const error = await refused(deployRaw(freshName("thr"), guest("threads")), 422, "unsupported_feature");
    expect(error.feature).toMatch(/threads/);
    // In a function body: found as the deploy instruments it, and first when the module is refused for its exports
    // too (the bodies are checked before any refusal).
    for (const name of ["atomic-body", "atomic-body-no-handler"] as const) {
      const inBody = await refused(deployRaw(freshName("atm"), guest(name)), 422, "unsupported_feature");
      expect(inBody.feature, name).toMatch(/threads/);
    }
  });

  it("module_too_large: refused from Content-Length before the body is read", async () => {
    const pulled = { chunks: 0 };
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled.chunks++;
        controller.enqueue(new Uint8Array(64 * 1024));
        if (pulled.chunks === 80) controller.close();
      },
    });
    const error = await refused(
      request("PUT", `/v1/functions/${freshName("big")}`, {
        body,
        headers: { ...AUTH, "content-type": "application/wasm", "content-length": String(80 * 64 * 1024), "x-helios-sha256": "0".repeat(64) },
      }),
      413,
      "module_too_large",
    );
    expect(error.limit).toBe(MAX_MODULE_BYTES);
  });

  it("module_too_large: a streamed body with no length is cut off once it passes the cap", async () => {
    // Answered while the rest of the upload is withheld: nothing past the cap was needed to refuse it.
    const upload = withheldBody(256 * 1024, MAX_MODULE_BYTES / (256 * 1024) + 2);
    const response = await request("PUT", `/v1/functions/${freshName("stream")}`, {
      body: upload.body,
      headers: { ...AUTH, "content-type": "application/wasm", "x-helios-sha256": "0".repeat(64) },
    });
    expect(response.status).toBe(413);
    upload.release();
    expect(await errorOf(response)).toMatchObject({ code: "module_too_large" });
  });

  it("module_too_large: a multipart module part over the cap", async () => {
    const form = new FormData();
    form.set("manifest", JSON.stringify({ sha256: "0".repeat(64) }));
    form.set("module", new File([new Uint8Array(MAX_MODULE_BYTES + 1)], "big.wasm"));
    await refused(request("PUT", `/v1/functions/${freshName("mp")}`, { body: form, headers: AUTH }), 413, "module_too_large");
  });

  it("unsupported_media_type: neither application/wasm nor multipart", async () => {
    const error = await refused(
      request("PUT", `/v1/functions/${freshName("json")}`, { body: "{}", headers: { ...AUTH, "content-type": "application/json" } }),
      415,
      "unsupported_media_type",
    );
    expect(error.accepted).toEqual(["application/wasm", "multipart/form-data"]);
  });

  it("invalid_request: names the offending field", async () => {
    const cases: [Promise<Response>, string][] = [
      [deployRaw("Bad_Name", guest("echo")), "name"],
      [deployRaw("a".repeat(64), guest("echo")), "name"],
      [deployRaw(freshName("r"), guest("echo"), { query: { regions: "wnam,mars" } }), "regions.1"],
      [deployRaw(freshName("r"), guest("echo"), { query: { regions: "wnam,wnam" } }), "regions"],
      [deployRaw(freshName("f"), guest("echo"), { query: { fuel: String(LIMIT_CEILINGS.fuel + 1) } }), "limits.fuel"],
      [deployRaw(freshName("f"), guest("echo"), { query: { fuel: "lots" } }), "limits.fuel"],
      [deployRaw(freshName("p"), guest("echo"), { headers: { "x-helios-max-memory-pages": "0" } }), "limits.maxMemoryPages"],
      [deployRaw(freshName("p"), guest("echo"), { query: { profile: "root" } }), "profile.0"],
      [deployRaw(freshName("b"), guest("echo"), { query: { private: "maybe" } }), "private"],
      [deployRaw(freshName("c"), guest("echo"), { query: { config: "[1]" } }), "config"],
      [deployRaw(freshName("c"), guest("echo"), { query: { config: "{" } }), "config"],
      [deployRaw(freshName("u"), guest("echo"), { query: { fule: "1" } }), "fule"],
      [deployRaw(freshName("h"), guest("echo"), { headers: { "x-helios-region": "wnam" } }), "x-helios-region"],
      [deployRaw(freshName("s"), guest("echo"), { sha256: "abc" }), "sha256"],
      [deployRaw(freshName("d"), guest("echo"), { query: { fuel: "10" }, headers: { "x-helios-fuel": "20" } }), "limits.fuel"],
    ];
    for (const [response, field] of cases) {
      const error = await refused(response, 400, "invalid_request");
      expect(error.field, JSON.stringify(error)).toBe(field);
      expect(error.message).toContain(field);
    }
  });

  it("invalid_request: a manifest with an unknown field or without sha256", async () => {
    const bytes = guest("echo");
    const form = new FormData();
    form.set("manifest", JSON.stringify({ sha256: await sha256Hex(bytes), limits: { fuel: 10, cpu: 1 } }));
    form.set("module", new File([bytes], "m.wasm"));
    const unknown = await refused(request("PUT", `/v1/functions/${freshName("m")}`, { body: form, headers: AUTH }), 400, "invalid_request");
    expect(unknown).toMatchObject({ field: "limits" });
    expect(unknown.message).toContain("cpu");

    const noHash = new FormData();
    noHash.set("manifest", "{}");
    noHash.set("module", new File([bytes], "m.wasm"));
    const missing = await refused(request("PUT", `/v1/functions/${freshName("m")}`, { body: noHash, headers: AUTH }), 400, "invalid_request");
    expect(missing).toMatchObject({ field: "sha256" });
  });
});

describe("unauthorized", () => {
  it("every management route needs the right bearer token", async () => {
    const name = freshName("auth");
    const bytes = padWithCustomSection(guest("echo"), guest("echo").length + 8192 + (Date.now() % 4096));
    const routes: [string, string, RequestInit][] = [
      ["PUT", `/v1/functions/${name}`, { body: bytes, headers: { "content-type": "application/wasm", "x-helios-sha256": await sha256Hex(bytes) } }],
      ["GET", "/v1/functions", {}],
      ["GET", `/v1/functions/${name}`, {}],
      ["DELETE", `/v1/functions/${name}`, {}],
    ];
    const before = await storedState();
    for (const [method, path, init] of routes) {
      for (const authorization of [undefined, "Bearer wrong-token", "Basic dGVzdC10b2tlbg==", "Bearer test-token-and-more", "Bearer "]) {
        const headers = { ...(init.headers as Record<string, string> | undefined), ...(authorization ? { authorization } : {}) };
        const response = await request(method, path, { ...init, body: init.body ? bytes : undefined, headers });
        expect(response.status, `${method} ${path} ${authorization}`).toBe(401);
        expect((await errorOf(response)).code).toBe("unauthorized");
      }
    }
    expect(await storedState()).toEqual(before);
  });
});
