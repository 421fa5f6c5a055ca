// The WASI half of the host-function property test (host-functions.property.test.ts): argument generators for every
// wasi_snapshot_preview1 function in the registry, biased like the rest (edges, wrapping values, valid ones mixed
// in), and what each may write. Test helper only: nothing in the sandbox bundle imports it.

import { HOST_FUNCTIONS } from "./host-functions.ts";
import { hostState } from "./host-module.ts";
import type { HostContext } from "./host-call.ts";
import { PROCESS_STATE } from "./host-wasi.ts";
import { WASI_MODULE } from "./guest-abi.ts";
import { Errno } from "./wasi-abi.ts";

export interface Range {
  start: number;
  end: number;
}
export interface Call {
  name: string;
  args: number[];
  targets: (args: number[], before: Uint8Array) => Range[];
}

export interface GeneratorKit {
  next: () => number;
  int: (n: number) => number;
  pointer: () => number;
  length: () => number;
  context: HostContext;
  /** Where valid iovec arrays sit: one over prepared text (for writes), one over scratch space (for reads). */
  writeIovs: { ptr: number; count: number };
  readIovs: { ptr: number; count: number };
  /** A buffer inside memory the calls may write. */
  scratch: () => number;
}

/** Every errno a WASI call may answer. */
export const WASI_ERRNOS: ReadonlySet<number> = new Set(Object.values(Errno));

const u = (v: number) => v >>> 0;
const at = (ptr: number, len: number): Range => ({ start: u(ptr), end: u(ptr) + u(len) });

export function wasiGenerators(kit: GeneratorKit): Record<string, () => Call> {
  const { next, int, pointer, length } = kit;
  const fd = () => (next() < 0.6 ? int(3) : [3, 4, 255, -1, -2, 0x7fffffff, -0x80000000, int(2 ** 31)][int(8)]);
  const ptr = () => (next() < 0.6 ? kit.scratch() : pointer());
  const iovs = (which: { ptr: number; count: number }): [number, number] => {
    const roll = next();
    if (roll < 0.5) return [which.ptr, 1 + int(which.count)];
    if (roll < 0.6) return [which.ptr, [0x80000000 | 0, -1, 1025, 1024][int(4)]];
    return [pointer(), length()];
  };
  /** The buffers an iovec array (as it was before the call) points at: what fd_read may write. */
  const iovecTargets = (iovsPtr: number, count: number, before: Uint8Array): Range[] => {
    const n = u(count);
    const base = u(iovsPtr);
    if (n > 1024 || base + n * 8 > before.length) return [];
    const view = new DataView(before.buffer, before.byteOffset, before.byteLength);
    const ranges: Range[] = [];
    for (let i = 0; i < n; i++) ranges.push(at(view.getUint32(base + i * 8, true), view.getUint32(base + i * 8 + 4, true)));
    return ranges;
  };
  const strings = (which: "args" | "environ") => hostState(kit.context, PROCESS_STATE)[which];
  const generators: Record<string, () => Call> = {
    args_sizes_get: () => ({ name: "args_sizes_get", args: [ptr(), ptr()], targets: (a) => [at(a[0], 4), at(a[1], 4)] }),
    environ_sizes_get: () => ({ name: "environ_sizes_get", args: [ptr(), ptr()], targets: (a) => [at(a[0], 4), at(a[1], 4)] }),
    args_get: () => ({
      name: "args_get",
      args: [ptr(), ptr()],
      targets: (a) => [at(a[0], strings("args").encoded.length * 4), at(a[1], strings("args").bytes)],
    }),
    environ_get: () => ({
      name: "environ_get",
      args: [ptr(), ptr()],
      targets: (a) => [at(a[0], strings("environ").encoded.length * 4), at(a[1], strings("environ").bytes)],
    }),
    fd_write: () => ({ name: "fd_write", args: [fd(), ...iovs(kit.writeIovs), ptr()], targets: (a) => [at(a[3], 4)] }),
    fd_read: () => ({
      name: "fd_read",
      args: [next() < 0.7 ? 0 : fd(), ...iovs(kit.readIovs), ptr()],
      targets: (a, before) => [...iovecTargets(a[1], a[2], before), at(a[3], 4)],
    }),
    fd_fdstat_get: () => ({ name: "fd_fdstat_get", args: [fd(), ptr()], targets: (a) => [at(a[1], 24)] }),
    fd_prestat_get: () => ({ name: "fd_prestat_get", args: [fd(), ptr()], targets: () => [] }),
    fd_close: () => ({ name: "fd_close", args: [next() < 0.3 ? int(3) : fd()], targets: () => [] }),
    fd_seek: () => ({ name: "fd_seek", args: [fd(), int(100) - 50, int(4), ptr()], targets: () => [] }),
    clock_time_get: () => ({ name: "clock_time_get", args: [next() < 0.6 ? int(2) : int(6) - 1, int(1000), ptr()], targets: (a) => [at(a[2], 8)] }),
    random_get: () => ({ name: "random_get", args: [ptr(), next() < 0.6 ? int(300) : length()], targets: (a) => [at(a[0], a[1])] }),
    sched_yield: () => ({ name: "sched_yield", args: [], targets: () => [] }),
    proc_exit: () => ({ name: "proc_exit", args: [int(4)], targets: () => [] }),
  };
  // The rest answer an errno and never touch memory, whatever their arguments.
  for (const fn of HOST_FUNCTIONS) {
    if (fn.module !== WASI_MODULE || generators[fn.name]) continue;
    generators[fn.name] = () => ({ name: fn.name, args: fn.type.params.map((_, i) => (i === 0 ? fd() : next() < 0.5 ? pointer() : length())), targets: () => [] });
  }
  return generators;
}
