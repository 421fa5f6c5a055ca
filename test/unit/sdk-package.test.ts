// The AssemblyScript SDK as a package used from outside this repository: a function project (the fixture
// modules/fixtures/sdk-package-guest) is copied into a fresh temporary folder, installs modules/sdk with
// `npm install --install-links` (packed and copied as from a registry, so the package's `files` must carry
// everything; offline: the SDK has no dependencies, and its peer assemblyscript is this repository's), and builds
// with `asc --config asconfig.json` run from that folder, its asconfig extending the package's. The module must
// need only the `minimal` profile, pass the deploy-time ABI check, and run against a host that follows docs/abi.md;
// a failed assertion must reach the SDK's abort handler (log, then trap), not an `env.abort` import.

import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedImportsFor } from "../../src/runtime/capabilities.ts";
import { checkGuestAbi } from "../../src/runtime/guest-abi-check.ts";
import { compile, instantiate } from "../../src/wasm/fixtures.ts";
import { decodeModule } from "../../src/wasm/index.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const ascCli = join(repoRoot, "node_modules/assemblyscript/bin/asc.js");
let project: string;
let binary: Uint8Array;

beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), "helios-sdk-guest-"));
  cpSync(join(repoRoot, "modules/fixtures/sdk-package-guest"), project, { recursive: true });
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--install-links", "--legacy-peer-deps", join(repoRoot, "modules/sdk")], {
    cwd: project,
    stdio: "pipe",
  });
  execFileSync(process.execPath, [ascCli, "--config", "asconfig.json", "--target", "release", "--noColors"], { cwd: project, stdio: "pipe" });
  binary = readFileSync(join(project, "build/function.wasm"));
}, 180_000);
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

interface Request {
  method: string;
  path: string;
  headers: Record<string, string>;
}

function run(request: Request) {
  const logs: string[] = [];
  const headers: [string, string][] = [];
  let status = 200;
  let body = "";
  let instance!: WebAssembly.Instance;
  const memory = () => (instance.exports.memory as WebAssembly.Memory).buffer;
  const text = (ptr: number, len: number) => new TextDecoder().decode(new Uint8Array(memory(), ptr, len));
  // → buf (docs/abi.md "Calls"): write into (outPtr, outCap) and the length at outLenPtr; on bufferTooSmall only the length.
  const toBuffer = (value: string, outPtr: number, outCap: number, outLenPtr: number) => {
    const bytes = new TextEncoder().encode(value);
    new DataView(memory()).setUint32(outLenPtr, bytes.length, true);
    if (bytes.length > outCap) return -8;
    new Uint8Array(memory(), outPtr, bytes.length).set(bytes);
    return 0;
  };
  const imports = {
    heliosdb: {
      heliosdb_request_method: (p: number, c: number, l: number) => toBuffer(request.method, p, c, l),
      heliosdb_request_path: (p: number, c: number, l: number) => toBuffer(request.path, p, c, l),
      heliosdb_request_header: (np: number, nl: number, p: number, c: number, l: number) => {
        const value = request.headers[text(np, nl).toLowerCase()];
        return value === undefined ? -11 : toBuffer(value, p, c, l);
      },
      heliosdb_response_status: (code: number) => ((status = code), 0),
      heliosdb_response_header: (np: number, nl: number, vp: number, vl: number) => (headers.push([text(np, nl), text(vp, vl)]), 0),
      heliosdb_output: (ptr: number, len: number) => ((body += text(ptr, len)), 0),
      heliosdb_log: (_level: number, ptr: number, len: number) => (logs.push(text(ptr, len)), 0),
    },
  };
  instance = instantiate(binary, imports);
  let trap: unknown = null;
  try {
    (instance.exports.handle_request as () => void)();
  } catch (error) {
    trap = error;
  }
  return { status, headers, body, logs, trap };
}

describe("@helios-edge/sdk installed into a project outside the repository", () => {
  it("installs as a package: the copy under node_modules is the package's files, not a link back into the repo", () => {
    const installed = join(project, "node_modules/@helios-edge/sdk");
    expect(relative(repoRoot, project).startsWith("..")).toBe(true);
    expect(JSON.parse(readFileSync(join(installed, "package.json"), "utf8"))).toMatchObject({ name: "@helios-edge/sdk", ascMain: "index.ts" });
    expect(existsSync(join(installed, "handler.ts"))).toBe(true);
    expect(existsSync(join(installed, "asconfig.json"))).toBe(true);
  });

  it("builds a version-2 module that imports only minimal-profile host calls and passes the deploy ABI check", () => {
    const module = compile(binary);
    const imports = WebAssembly.Module.imports(module);
    const allowed = new Set(allowedImportsFor(["minimal"]).map((i) => `${i.module}.${i.name}`));
    expect(imports.length).toBeGreaterThan(0);
    for (const imp of imports) expect(allowed.has(`${imp.module}.${imp.name}`), `${imp.module}.${imp.name}`).toBe(true);
    expect(imports.map((i) => i.name)).not.toContain("abort");
    expect(WebAssembly.Module.exports(module).map((e) => e.name).sort()).toEqual(["handle_request", "memory"]);
    expect(checkGuestAbi(decodeModule(binary))).toEqual([]);
  });

  it("runs: reads the request through the SDK and sets status, headers and body", () => {
    const answer = run({ method: "GET", path: "/docs/intro", headers: { "x-name": "ada" } });
    expect(answer.trap).toBeNull();
    expect([answer.status, answer.headers, answer.body]).toEqual([201, [["content-type", "text/plain"]], "hello ada at /docs/intro"]);
    expect(run({ method: "GET", path: "/", headers: {} }).body).toBe("hello world at /");
  });

  it("a failed assertion goes to the SDK's abort handler by default: logged with its place, then a trap", () => {
    const answer = run({ method: "BOOM", path: "/", headers: {} });
    expect(answer.trap).toBeInstanceOf(WebAssembly.RuntimeError);
    expect(answer.logs).toHaveLength(1);
    expect(answer.logs[0]).toMatch(/^boom requested at assembly\/index\.ts:\d+:\d+$/);
    expect(answer.body).toBe("");
  });
});
