import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { UsageError } from "./errors.mjs";
import { checkManifest, loadDeployment, locateManifest } from "./manifest.mjs";

// The smallest valid module: magic and version, no sections.
const EMPTY_MODULE = Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00);
let dir;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "helios-cli-manifest-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function project(manifest, module = EMPTY_MODULE, moduleName = "fn.wasm") {
  mkdirSync(join(dir, "build"), { recursive: true });
  writeFileSync(join(dir, "build", moduleName), module);
  if (manifest !== undefined) writeFileSync(join(dir, "helios.json"), typeof manifest === "string" ? manifest : JSON.stringify(manifest));
}

describe("locateManifest", () => {
  it("finds helios.json in a directory, takes a manifest path as is, and looks beside a .wasm", () => {
    project({ name: "fn", module: "build/fn.wasm" });
    expect(locateManifest(undefined, dir)).toEqual({ manifestPath: join(dir, "helios.json"), modulePath: null });
    expect(locateManifest("helios.json", dir).manifestPath).toBe(join(dir, "helios.json"));
    expect(locateManifest("build/fn.wasm", dir)).toEqual({ manifestPath: null, modulePath: join(dir, "build", "fn.wasm") });
  });

  it("says what is missing", () => {
    expect(() => locateManifest("nope", dir)).toThrow(/nope: no such file/);
    expect(() => locateManifest(undefined, dir)).toThrow(/no helios\.json in/);
  });
});

describe("checkManifest", () => {
  it("passes API fields through untouched (the server validates them) and keeps its own fields apart", () => {
    const checked = checkManifest(
      { name: "fn", module: "x.wasm", regions: ["wnam"], limits: { fuel: 5 }, config: { a: "b" }, futureField: 1 },
      "helios.json",
    );
    expect(checked.name).toBe("fn");
    expect(checked.module).toBe("x.wasm");
    expect(checked.settings).toEqual({ regions: ["wnam"], limits: { fuel: 5 }, config: { a: "b" }, futureField: 1 });
  });

  it("lists every local problem at once, a hand-written sha256 among them", () => {
    let message = "";
    try {
      checkManifest({ name: "Bad Name", module: 3, regions: "wnam", private: "yes", sha256: "ab", allowedHosts: [1] }, "helios.json");
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      message = error.message;
    }
    expect(message).toContain('"name" must be 1-63 characters');
    expect(message).toContain('"module" must be the path');
    expect(message).toContain('"regions" must be a list of strings');
    expect(message).toContain('"private" must be true or false');
    expect(message).toContain('"allowedHosts" must be a list of strings');
    expect(message).toContain('"sha256" is computed by helios deploy');
  });

  it("accepts profile as a string or a list, as the API does", () => {
    expect(checkManifest({ profile: "compute" }, "m").settings.profile).toBe("compute");
    expect(checkManifest({ profile: ["compute", "network"] }, "m").settings.profile).toEqual(["compute", "network"]);
    expect(() => checkManifest({ profile: 1 }, "m")).toThrow(/"profile" must be a string or a list of strings/);
    expect(() => checkManifest([], "m")).toThrow(/must hold a JSON object/);
  });
});

describe("loadDeployment", () => {
  it("reads the module relative to helios.json and computes its sha256", () => {
    project({ name: "fn", module: "build/fn.wasm", regions: ["wnam"] });
    const d = loadDeployment({ target: undefined, cwd: dir });
    expect(d.name).toBe("fn");
    expect(d.modulePath).toBe(join(dir, "build", "fn.wasm"));
    expect(d.sha256).toBe(createHash("sha256").update(EMPTY_MODULE).digest("hex"));
    expect(d.settings).toEqual({ regions: ["wnam"] });
  });

  it("lets --name and --region override helios.json", () => {
    project({ name: "fn", module: "build/fn.wasm", regions: ["wnam"] });
    const d = loadDeployment({ target: dir, cwd: "/", name: "other", regions: ["weur", "apac"] });
    expect(d.name).toBe("other");
    expect(d.settings.regions).toEqual(["weur", "apac"]);
  });

  it("deploys a bare .wasm under its file name when there is no helios.json beside it", () => {
    project(undefined, EMPTY_MODULE, "my-fn.wasm");
    const d = loadDeployment({ target: "build/my-fn.wasm", cwd: dir });
    expect(d.name).toBe("my-fn");
    expect(d.settings).toEqual({});
  });

  it("refuses what it cannot send: no module field, a missing module, a file that is not wasm, a bad name, bad JSON", () => {
    project({ name: "fn" });
    expect(() => loadDeployment({ cwd: dir })).toThrow(/"module" is missing/);
    project({ name: "fn", module: "build/none.wasm" });
    expect(() => loadDeployment({ cwd: dir })).toThrow(/cannot read the module/);
    project({ name: "fn", module: "build/fn.wasm" }, new TextEncoder().encode("not wasm at all"));
    expect(() => loadDeployment({ cwd: dir })).toThrow(/is not a WebAssembly binary/);
    project({ module: "build/fn.wasm" });
    expect(() => loadDeployment({ cwd: dir })).toThrow(/no function name/);
    expect(() => loadDeployment({ cwd: dir, name: "UPPER" })).toThrow(/must be 1-63 characters/);
    project("{ not json");
    expect(() => loadDeployment({ cwd: dir })).toThrow(/is not valid JSON/);
  });
});
