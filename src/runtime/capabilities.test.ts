import { describe, expect, it } from "vitest";
import { CAPABILITY_PROFILE_NAMES, expandProfile, HOST_FUNCTIONS } from "../sandbox/index.ts";
import { watToBytes } from "../wasm/fixtures.ts";
import { checkPolicy, inspectModule } from "../wasm/index.ts";
import { allowedImportsFor, checkCapabilities } from "./capabilities.ts";

const importing = async (...names: string[]) => {
  const imports = names.map((name) => {
    const fn = HOST_FUNCTIONS.find((f) => f.name === name)!;
    return `(import "heliosdb" "${name}" (func (param ${fn.type.params.join(" ")}) (result ${fn.type.results.join(" ")})))`;
  });
  return inspectModule(await watToBytes(`(module ${imports.join(" ")})`));
};
/** Every function of wasi_snapshot_preview1.witx. */
const WASI_PREVIEW1 = [
  "args_get", "args_sizes_get", "environ_get", "environ_sizes_get", "clock_res_get", "clock_time_get", "fd_advise",
  "fd_allocate", "fd_close", "fd_datasync", "fd_fdstat_get", "fd_fdstat_set_flags", "fd_fdstat_set_rights",
  "fd_filestat_get", "fd_filestat_set_size", "fd_filestat_set_times", "fd_pread", "fd_prestat_get",
  "fd_prestat_dir_name", "fd_pwrite", "fd_read", "fd_readdir", "fd_renumber", "fd_seek", "fd_sync", "fd_tell",
  "fd_write", "path_create_directory", "path_filestat_get", "path_filestat_set_times", "path_link", "path_open",
  "path_readlink", "path_remove_directory", "path_rename", "path_symlink", "path_unlink_file", "poll_oneoff",
  "proc_exit", "proc_raise", "sched_yield", "random_get", "sock_accept", "sock_recv", "sock_send", "sock_shutdown",
];
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
    expect(granted(["invoke"])).toEqual([...granted(["compute"]), "heliosdb_edge_invoke", "heliosdb_edge_invoke_async"].sort());
    expect(granted(["network", "invoke", "database"])).toEqual(HOST_FUNCTIONS.filter((fn) => fn.module === "heliosdb").map((fn) => fn.name).sort());
    expect(granted(["database_read"])).toEqual([...granted(["compute"]), "heliosdb_db_query"].sort());
    expect(granted(["database"])).toEqual([...granted(["compute"]), "heliosdb_db_query", "heliosdb_db_execute"].sort());
    // `wasi` grants exactly WASI preview1, nothing of heliosdb: every preview1 function, by its witx name.
    expect(allowedImportsFor(["wasi"]).every((i) => i.module === "wasi_snapshot_preview1")).toBe(true);
    expect(granted(["wasi"])).toEqual(WASI_PREVIEW1.sort());
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

  it("wasi: the allow-list takes exactly preview1's names and signatures; a missing profile names `wasi`", async () => {
    const wat = (imports: string) => watToBytes(`(module ${imports})`).then(inspectModule);
    const big = 1_000_000;
    const policy = { maxModuleBytes: big, maxMemoryPages: 16, maxFunctions: big, maxLocalsPerFunction: big, maxTables: big, maxTableElements: big, maxDataSegments: big, maxGlobals: big, allowedImports: allowedImportsFor(["wasi"]) };
    const ok = await wat(`(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "clock_time_get" (func (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))`);
    expect(checkPolicy(ok, policy)).toEqual([]);
    const wrongType = await wat(`(import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32) (result i32)))`);
    expect(checkPolicy(wrongType, policy).map((v) => v.rule)).not.toEqual([]);
    const unknown = await wat(`(import "wasi_snapshot_preview1" "fd_mmap" (func (param i32) (result i32)))`);
    expect(checkPolicy(unknown, policy).map((v) => v.rule)).toEqual(["import_not_allowed"]);
    const [violation] = checkCapabilities(ok, ["minimal"]);
    expect(violation).toMatchObject({ rule: "capability_missing", capability: "wasi", import: "wasi_snapshot_preview1.fd_write" });
  });
});
