// The host-module registry: what linking and docs derive from it, and per-invocation state made on first use.

import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CAPABILITY_PROFILE_NAMES } from "./capabilities.ts";
import { createHostContext } from "./host-call.ts";
import { HOST_FUNCTIONS, HOST_MODULES, linkHostFunctions, profileNeedsBridge, profileNeedsJspi } from "./host-functions.ts";
import { defineHostState, type HostCallPrice, hostState } from "./host-module.ts";
import { compile, watToBytes } from "../wasm/fixtures.ts";

const settings = { functionName: "fn", region: "wnam", profile: ["minimal"], maxMemoryPages: 1, config: {}, allowedHosts: [] };

function priceText(price: HostCallPrice): string {
  const parts = [price.base.toLocaleString("en-US")];
  if (price.bytesPerFuel === 1) parts.push("bytes");
  else if (price.bytesPerFuel > 1) parts.push(`bytes/${price.bytesPerFuel}`);
  else if (price.bytesPerFuel > 0) parts.push(`${1 / price.bytesPerFuel} × bytes`);
  if (price.perRow) parts.push(`${price.perRow} × rows`);
  return parts.join(" + ");
}

/** The registry table of docs/abi.md, as the registry says it must read. */
function registryTable(): string {
  const rows = HOST_FUNCTIONS.map(
    (fn) =>
      `| \`${fn.module}\` | \`${fn.name}\` | \`(${fn.type.params.join(", ")}) -> ${fn.type.results.join(", ") || "()"}\` | ${fn.grantedBy} | ${priceText(fn.price)} | ${fn.async ? "yes" : "no"} | ${fn.parentCalls.map((c) => `\`${c}\``).join(", ") || "—"} | ${fn.hostModule} |`,
  );
  return ["| import module | function | type | capability | base fuel | JSPI | parent calls | host module |", "| --- | --- | --- | --- | --- | --- | --- | --- |", ...rows].join("\n");
}

describe("host-module registry", () => {
  it("every function has a known capability, a price and a unique name; async ones declare what they wait on", () => {
    expect(new Set(HOST_FUNCTIONS.map((fn) => `${fn.module}.${fn.name}`)).size).toBe(HOST_FUNCTIONS.length);
    for (const fn of HOST_FUNCTIONS) {
      expect(CAPABILITY_PROFILE_NAMES).toContain(fn.grantedBy);
      expect(fn.price.base).toBeGreaterThan(0);
      if (fn.async) expect(fn.parentCalls.length, fn.name).toBeGreaterThan(0);
    }
    expect(HOST_MODULES.map((m) => m.name)).toEqual([...new Set(HOST_MODULES.map((m) => m.name))]);
    // A state slot belongs to one module: two modules declaring the same slot, or two slots with one name, would
    // share or confuse per-invocation state.
    const slots = HOST_MODULES.flatMap((m) => m.state);
    expect(new Set(slots).size).toBe(slots.length);
    expect(new Set(slots.map((slot) => slot.name)).size).toBe(slots.length);
  });

  it("docs/abi.md carries the registry table exactly as the registry reads", () => {
    const docs = readFileSync(new URL("../../docs/abi.md", import.meta.url), "utf8");
    const begin = "<!-- host-registry:begin -->\n";
    const end = "\n<!-- host-registry:end -->";
    const actual = docs.slice(docs.indexOf(begin) + begin.length, docs.indexOf(end));
    expect(actual, `regenerate the table in docs/abi.md:\n${registryTable()}`).toBe(registryTable());
  });

  it("links, given the module, only the granted functions it imports, under their own names and counts", async () => {
    const wat = `(module
      (import "heliosdb" "heliosdb_log" (func (param i32 i32 i32) (result i32)))
      (import "heliosdb" "heliosdb_request_method" (func (param i32 i32 i32) (result i32))))`;
    const module = compile(await watToBytes(wat));
    const context = createHostContext(settings, { fuel: 1000, maxResponseBytes: 10 }, null);
    const imports = linkHostFunctions(["minimal"], context, module);
    expect(Object.keys(imports)).toEqual(["heliosdb"]);
    expect(Object.keys(imports.heliosdb).sort()).toEqual(["heliosdb_log", "heliosdb_request_method"]);
    expect(context.hostCallNames).toEqual(["heliosdb_log", "heliosdb_request_method"]);
    // The instance links: nothing it imports is missing.
    expect(new WebAssembly.Instance(module, imports)).toBeInstanceOf(WebAssembly.Instance);
    // A profile that grants less links less; the needs stay the profile's.
    const wasi = linkHostFunctions(["wasi"], createHostContext(settings, { fuel: 1000, maxResponseBytes: 10 }, null), module);
    expect(wasi).toEqual({});
  });

  it("links by import module only what the profile grants; bridge and JSPI needs follow the definitions", () => {
    const context = createHostContext(settings, { fuel: 1000, maxResponseBytes: 10 }, null);
    const imports = linkHostFunctions(["minimal"], context);
    expect(Object.keys(imports)).toEqual(["heliosdb"]);
    expect(Object.keys(imports.heliosdb).sort()).toEqual([
      "heliosdb_log",
      "heliosdb_output",
      "heliosdb_request_body",
      "heliosdb_request_header",
      "heliosdb_request_headers",
      "heliosdb_request_method",
      "heliosdb_request_path",
      "heliosdb_request_query",
      "heliosdb_response_header",
      "heliosdb_response_status",
    ]);
    expect(profileNeedsBridge(["compute"])).toBe(false);
    expect(profileNeedsJspi(["compute"])).toBe(false);
    expect(profileNeedsBridge(["network"])).toBe(true);
    expect(profileNeedsJspi(["invoke"])).toBe(true);
  });

  it("per-invocation state is created on first use, once per invocation", () => {
    let made = 0;
    const slot = defineHostState("probe", () => ({ n: ++made }));
    const first = createHostContext(settings, { fuel: 1000, maxResponseBytes: 10 }, null);
    expect(made).toBe(0);
    expect(hostState(first, slot)).toBe(hostState(first, slot));
    expect(made).toBe(1);
    const second = createHostContext(settings, { fuel: 1000, maxResponseBytes: 10 }, null);
    expect(hostState(second, slot).n).toBe(2);
  });
});
