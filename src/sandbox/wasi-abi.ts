// The numbers of WASI preview1 this runtime speaks (wasi_snapshot_preview1.witx; the same values as wasi-libc's
// <wasi/api.h>): errno values, file types, rights and clock ids, and the runtime's caps on what one call may move.

/** The errno values host functions answer with (u16 in the witx, returned as i32). */
export const Errno = {
  success: 0,
  /** E2BIG: an argument list or result too long. */
  tooBig: 1,
  /** EBADF: no such file descriptor (every fd but 0, 1 and 2), or one not open for that. */
  badf: 8,
  /** EFAULT: a pointer or (ptr, len) range outside the guest's memory, wrapping past 2^32 included. */
  fault: 21,
  /** EFBIG: a write past the response cap. */
  fbig: 22,
  /** EINVAL: an argument outside its range (an iovec count over IOV_MAX, a total over the per-call cap, a clock id). */
  inval: 28,
  /** ENOSYS: a call this runtime does not implement (polling, signals). */
  nosys: 52,
  /** ENOTSUP: supported call, unsupported variant (a CPU-time clock). */
  notsup: 58,
  /** ESPIPE: seeking a stream. */
  spipe: 70,
  /** ENOTCAPABLE: the standard streams do not carry the right (filesystem, sockets: nothing is granted). */
  notcapable: 76,
} as const;
export type Errno = (typeof Errno)[keyof typeof Errno];

/** The standard streams, the only descriptors that exist. */
export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;

/** filetype: unknown, so wasi-libc treats the streams as neither a terminal nor a file (fully buffered stdout). */
export const FILETYPE_UNKNOWN = 0;
/** rights: fd_read, fd_write, poll_fd_readwrite. */
export const RIGHT_FD_READ = 1n << 1n;
export const RIGHT_FD_WRITE = 1n << 6n;
export const RIGHT_POLL_FD_READWRITE = 1n << 27n;
/** fdstat: u8 filetype @0, u16 flags @2, u64 rights_base @8, u64 rights_inheriting @16. */
export const FDSTAT_BYTES = 24;

/** clockid: realtime and monotonic are served (coarse, frozen for the invocation); the CPU-time clocks are not. */
export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
export const CLOCK_PROCESS_CPUTIME = 2;
export const CLOCK_THREAD_CPUTIME = 3;

/** wasi-libc's IOV_MAX: an fd_read or fd_write with more iovecs is EINVAL before any is looked at. */
export const MAX_IOVECS = 1024;
/** One iovec is `u32 buf, u32 buf_len`. */
export const IOVEC_BYTES = 8;
/** The total length of one fd_read or fd_write (the sum of its iovecs). More is EINVAL, nothing moved. */
export const MAX_WASI_IO_BYTES = 1024 * 1024;
/** One random_get call fills at most this much. More is EINVAL. */
export const MAX_WASI_RANDOM_BYTES = 1024 * 1024;
/** The environment (config plus CGI variables, as `KEY=value\0`) and the arguments, in bytes. */
export const MAX_WASI_ENVIRON_BYTES = 512 * 1024;
/** How much of stderr a failed invocation (guest_exit) carries. */
export const STDERR_TAIL_BYTES = 1024;
/** A stderr line longer than this becomes several log entries. */
export const STDERR_LINE_BYTES = 4096;
/** The CGI header block at the start of stdout: past this without a blank line, the invocation fails. */
export const MAX_CGI_HEADER_BLOCK_BYTES = 64 * 1024;
