import { describe, expect, it } from "vitest";
import { CAPABILITY_PROFILE_NAMES, expandProfile, HOST_FUNCTIONS } from "../sandbox/index.ts";
import { watToBytes } from "../wasm/fixtures.ts";
import { inspectModule } from "../wasm/index.ts";
import { allowedImportsFor, checkCapabilities } from "./capabilities.ts";

const importing = async (...names: string[]) => {
  const imports = names.map((name) => {
    const fn = HOST_FUNCTIONS.find((f) => f.name === name)!;
    return `(import "heliosdb" "${name}" (func (param ${fn.type.params.join(" ")}) (result ${fn.type.results.join(" ")})))`;
  });
  return inspectModule(await watToBytes(`(module ${imports.join(" ")})`));
};
const granted = (profile: string[]) => allowedImportsFor(profile).map((i) => i.name).sort();

describe("capability profiles", () => {
  it("grant what the issue lists, each including the profiles it builds on", () => {
    const http = [
      "heliosdb_request_method",
      "heliosdb_request_path",
      "heliosdb_request_query",
      "heliosdb_request_headers",
      "heliosdb_request_header",
      "heliosdb_request_body",
      "heliosdb_response_status",
      "heliosdb_response_header",
    ];
    expect(granted(["minimal"])).toEqual(["heliosdb_log", "heliosdb_output", ...http].sort());
    expect(granted(["compute"])).toEqual(
      [
        "heliosdb_log",
        "heliosdb_output",
        ...http,
        "heliosdb_config_get",
        "heliosdb_function_name",
        "heliosdb_region_name",
        "heliosdb_clock_now_ms",
        "heliosdb_random_bytes",
        "heliosdb_alloc",
        "heliosdb_dealloc",
      ].sort(),
    );
    expect(granted(["network"])).toEqual([...granted(["compute"]), "heliosdb_http_fetch"].sort());
    expect(granted(["invoke"])).toEqual([...granted(["compute"]), "heliosdb_edge_invoke"].sort());
    expect(granted(["network", "invoke", "database"])).toEqual(HOST_FUNCTIONS.map((fn) => fn.name).sort());
    expect(granted(["database_read"])).toEqual([...granted(["compute"]), "heliosdb_db_query"].sort());
    expect(granted(["database"])).toEqual([...granted(["compute"]), "heliosdb_db_query", "heliosdb_db_execute"].sort());
    expect([...expandProfile(["database"])].sort()).toEqual(["compute", "database", "database_read", "minimal"]);
    expect(granted(["no-such-profile"])).toEqual([]);
    for (const fn of HOST_FUNCTIONS) expect(CAPABILITY_PROFILE_NAMES).toContain(fn.grantedBy);
  });

  it("names the missing capability for each host-function import the profile lacks", async () => {
    const info = await importing("heliosdb_log", "heliosdb_config_get", "heliosdb_http_fetch", "heliosdb_edge_invoke");
    const violations = checkCapabilities(info, ["minimal"]);
    expect(violations.map((v) => [v.import, v.capability])).toEqual([
      ["heliosdb.heliosdb_config_get", "compute"],
      ["heliosdb.heliosdb_http_fetch", "network"],
      ["heliosdb.heliosdb_edge_invoke", "invoke"],
    ]);
    expect(violations[1].message).toBe(
      'import heliosdb.heliosdb_http_fetch needs the "network" capability, which the profile (minimal) does not grant',
    );
    expect(checkCapabilities(info, ["network", "invoke"])).toEqual([]);
  });
});
