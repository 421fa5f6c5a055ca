// The rest of WASI preview1: every call a real toolchain may import (wasi-libc imports all of them, Rust's std most)
// is linked with its exact signature, so such modules deploy, and answers an errno without touching memory: no
// filesystem (there are no preopened directories), no sockets, no polling or signals. Each call is charged the base
// price, so a loop of refused calls still runs out of fuel.

import { chargeHostCall, type HostContext, STANDARD_PRICE } from "./host-call.ts";
import type { HostFunctionDefinition, HostModule } from "./host-module.ts";
import { WASI_MODULE } from "./guest-abi.ts";
import { Errno } from "./wasi-abi.ts";
import { isOpenStream } from "./wasi-stdio.ts";

type Param = "i32" | "i64";
const I = "i32" as const;
const L = "i64" as const;

/**
 * How a call answers. `fd`: its first argument is a descriptor: EBADF unless it is an open standard stream, which
 * then answers `onStream` (ENOTCAPABLE: the streams carry no such right; ESPIPE for positioned I/O). `nosys`: ENOSYS.
 */
type Answer = { kind: "fd"; onStream: number } | { kind: "nosys" } | { kind: "badf" };

const onStream = (errno: number): Answer => ({ kind: "fd", onStream: errno });
const NOT_CAPABLE = onStream(Errno.notcapable);
const SPIPE = onStream(Errno.spipe);
const NOSYS: Answer = { kind: "nosys" };
/** No preopened directories: a directory descriptor is always EBADF, the standard streams included. */
const BADF: Answer = { kind: "badf" };

/** name, parameters (all return an errno i32), answer. */
const UNSUPPORTED: readonly [string, Param[], Answer][] = [
  ["clock_res_get", [I, I], NOSYS],
  ["fd_advise", [I, L, L, I], NOT_CAPABLE],
  ["fd_allocate", [I, L, L], NOT_CAPABLE],
  ["fd_datasync", [I], NOT_CAPABLE],
  ["fd_fdstat_set_flags", [I, I], NOT_CAPABLE],
  ["fd_fdstat_set_rights", [I, L, L], NOT_CAPABLE],
  ["fd_filestat_get", [I, I], NOT_CAPABLE],
  ["fd_filestat_set_size", [I, L], NOT_CAPABLE],
  ["fd_filestat_set_times", [I, L, L, I], NOT_CAPABLE],
  ["fd_pread", [I, I, I, L, I], SPIPE],
  ["fd_prestat_dir_name", [I, I, I], BADF],
  ["fd_pwrite", [I, I, I, L, I], SPIPE],
  ["fd_readdir", [I, I, I, L, I], NOT_CAPABLE],
  ["fd_renumber", [I, I], NOT_CAPABLE],
  ["fd_sync", [I], NOT_CAPABLE],
  ["fd_tell", [I, I], SPIPE],
  ["path_create_directory", [I, I, I], BADF],
  ["path_filestat_get", [I, I, I, I, I], BADF],
  ["path_filestat_set_times", [I, I, I, I, L, L, I], BADF],
  ["path_link", [I, I, I, I, I, I, I], BADF],
  ["path_open", [I, I, I, I, I, L, L, I, I], BADF],
  ["path_readlink", [I, I, I, I, I, I], BADF],
  ["path_remove_directory", [I, I, I], BADF],
  ["path_rename", [I, I, I, I, I, I], BADF],
  ["path_symlink", [I, I, I, I, I], BADF],
  ["path_unlink_file", [I, I, I], BADF],
  ["poll_oneoff", [I, I, I, I], NOSYS],
  ["proc_raise", [I], NOSYS],
  ["sock_accept", [I, I, I], NOT_CAPABLE],
  ["sock_recv", [I, I, I, I, I, I], NOT_CAPABLE],
  ["sock_send", [I, I, I, I, I], NOT_CAPABLE],
  ["sock_shutdown", [I, I], NOT_CAPABLE],
];

function answer(context: HostContext, rule: Answer, fd: unknown): number {
  if (rule.kind === "nosys") return Errno.nosys;
  if (rule.kind === "badf") return Errno.badf;
  return typeof fd === "number" && isOpenStream(context, fd) ? rule.onStream : Errno.badf;
}

function unsupported(name: string, params: Param[], rule: Answer): HostFunctionDefinition {
  return {
    name,
    grantedBy: "wasi",
    type: { params, results: [I] },
    async: false,
    price: STANDARD_PRICE,
    parentCalls: [],
    create: (context, price) => (fd) => {
      chargeHostCall(context, price);
      return answer(context, rule, fd);
    },
  };
}

export const WASI_UNSUPPORTED_MODULE: HostModule = {
  name: "wasi-unsupported",
  importModule: WASI_MODULE,
  functions: UNSUPPORTED.map(([name, params, rule]) => unsupported(name, params, rule)),
  state: [],
  readsRequestHead: false,
};
