// The standard streams of a WASI guest, per invocation: stdin reads the request body, stdout is the response (an
// optional CGI header block, then the body), stderr goes to the function's logs (and its tail into a guest_exit
// failure). Only fds 0, 1 and 2 exist; closing one makes it EBADF for the rest of the invocation.

import { InvalidResponseHeaderError, ResponseTooLargeError } from "./errors.ts";
import { failInvocation, type HostContext, responseHeadOf } from "./host-call.ts";
import { MAX_RESPONSE_HEADER_NAME_BYTES, MAX_RESPONSE_HEADER_VALUE_BYTES } from "./http-exchange.ts";
import { defineHostState, hostState } from "./host-module.ts";
import { MAX_CGI_HEADER_BLOCK_BYTES, STDERR, STDERR_LINE_BYTES, STDERR_TAIL_BYTES, STDIN, STDOUT } from "./wasi-abi.ts";

/** How far stdout has got: deciding whether it starts with a header block, inside it, or in the body. */
type StdoutMode = "start" | "headers" | "body";

export interface StdioState {
  /** Bytes of the body stdin has handed out. */
  stdinOffset: number;
  closed: [boolean, boolean, boolean];
  mode: StdoutMode;
  /** Header-block bytes not yet parsed into complete lines (and, in "start", bytes not yet classified). */
  pending: Uint8Array;
  headerBlockBytes: number;
  /** Bytes the guest tried to write to stdout's body, the refused ones included (for response_too_large). */
  bodyAttempted: number;
  stderrLine: Uint8Array;
  stderrTail: Uint8Array;
  finished: boolean;
}

export const STDIO_STATE = defineHostState<StdioState>("wasi-stdio", () => ({
  stdinOffset: 0,
  closed: [false, false, false],
  mode: "start",
  pending: new Uint8Array(0),
  headerBlockBytes: 0,
  bodyAttempted: 0,
  stderrLine: new Uint8Array(0),
  stderrTail: new Uint8Array(0),
  finished: false,
}));

export function stdioOf(context: HostContext): StdioState {
  return hostState(context, STDIO_STATE);
}

/** fd is one of the standard streams and still open. */
export function isOpenStream(context: HostContext, fd: number): boolean {
  if (fd !== STDIN && fd !== STDOUT && fd !== STDERR) return false;
  const state = context.states.get(STDIO_STATE) as StdioState | undefined;
  return state === undefined || !state.closed[fd];
}

/** The next bytes of the request body for stdin (empty at its end). */
export function readStdin(context: HostContext, max: number): Uint8Array {
  const state = stdioOf(context);
  const body = context.body;
  const end = Math.min(body.byteLength, state.stdinOffset + max);
  const chunk = body.subarray(state.stdinOffset, end);
  state.stdinOffset = end;
  return chunk;
}

/** How many body bytes stdin has left. */
export function stdinRemaining(context: HostContext): number {
  return context.body.byteLength - stdioOf(context).stdinOffset;
}

// ---- stdout: CGI header block, then the body.

/** RFC 9110 token characters: what a header name (and so the start of a header line) is made of. */
const TOKEN_CHAR = new Uint8Array(128);
for (const c of "!#$%&'*+.^_`|~-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TOKEN_CHAR[c.charCodeAt(0)] = 1;
const COLON = 0x3a;
/** The longest header line that could pass the header rules: name, ": ", value, CR LF. */
const MAX_CGI_LINE_BYTES = MAX_RESPONSE_HEADER_NAME_BYTES + MAX_RESPONSE_HEADER_VALUE_BYTES + 4;
const LF = 0x0a;
const CR = 0x0d;

export function writeStdout(context: HostContext, bytes: Uint8Array): void {
  const state = stdioOf(context);
  if (state.mode === "body") return writeBody(context, state, bytes);
  let data = concat(state.pending, bytes);
  if (state.mode === "start") {
    // A header block is recognised by its first line: a token (at most a header name's length) followed by ':'
    // ("Status:", "Content-Type:", ...). Anything else starts the body.
    let i = 0;
    while (i < data.length && data[i] < 128 && TOKEN_CHAR[data[i]] === 1) i++;
    if (i === data.length && i <= MAX_RESPONSE_HEADER_NAME_BYTES) {
      state.pending = data; // still undecided: only token characters so far
      return;
    }
    state.mode = i > 0 && i < data.length && data[i] === COLON ? "headers" : "body";
    if (state.mode === "body") {
      state.pending = new Uint8Array(0);
      return writeBody(context, state, data);
    }
  }
  // Inside the header block: parse every complete line; an empty one ends the block and the rest is body.
  let lineStart = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] !== LF) continue;
    const end = i > lineStart && data[i - 1] === CR ? i - 1 : i;
    state.headerBlockBytes += i + 1 - lineStart;
    if (end === lineStart) {
      state.mode = "body";
      state.pending = new Uint8Array(0);
      return writeBody(context, state, data.subarray(i + 1));
    }
    headerLine(context, data.subarray(lineStart, end));
    lineStart = i + 1;
  }
  data = data.subarray(lineStart);
  // Both bounds also keep the copying of a line built from many small writes small.
  if (data.length > MAX_CGI_LINE_BYTES) {
    failInvocation(context, new InvalidResponseHeaderError("(header line)", `a CGI header line is over ${MAX_CGI_LINE_BYTES} bytes`, "cgi"));
  }
  if (state.headerBlockBytes + data.length > MAX_CGI_HEADER_BLOCK_BYTES) {
    failInvocation(context, new InvalidResponseHeaderError("(header block)", `the CGI header block is over ${MAX_CGI_HEADER_BLOCK_BYTES} bytes`, "cgi"));
  }
  state.pending = data.slice();
}

function writeBody(context: HostContext, state: StdioState, bytes: Uint8Array): void {
  state.bodyAttempted += bytes.byteLength;
  if (!context.output.add(bytes)) {
    failInvocation(context, new ResponseTooLargeError(state.bodyAttempted, context.output.maxBytes));
  }
}

/** One `Name: value` line of the header block: Status sets the status, every other name is a response header. */
function headerLine(context: HostContext, line: Uint8Array): void {
  const text = latin1(line);
  const colon = text.indexOf(":");
  const shown = (colon > 0 ? text.slice(0, colon) : text).slice(0, 64);
  if (colon <= 0) failInvocation(context, new InvalidResponseHeaderError(shown, "not a `Name: value` line", "cgi"));
  const name = text.slice(0, colon);
  const value = text.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, "");
  const head = responseHeadOf(context);
  try {
    if (name.toLowerCase() === "status") {
      // "Status: 404 Not Found": the code is the first word; the reason phrase is not sent (HTTP/2 has none).
      const code = /^\d{3}(?: |$)/.test(value) ? Number(value.slice(0, 3)) : Number.NaN;
      if (Number.isNaN(code)) throw new InvalidResponseHeaderError("Status", `"${value.slice(0, 64)}" is not a 3-digit status`, "cgi");
      head.setStatus(code, "cgi");
    } else {
      head.addHeader(name, value, "cgi");
    }
  } catch (error) {
    failInvocation(context, error as Error);
  }
}

// ---- stderr: lines to the logs, a tail for guest_exit.

const lenientUtf8 = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

export function writeStderr(context: HostContext, bytes: Uint8Array): void {
  const state = stdioOf(context);
  const tail = concat(state.stderrTail, bytes);
  state.stderrTail = tail.byteLength > STDERR_TAIL_BYTES ? tail.slice(tail.byteLength - STDERR_TAIL_BYTES) : tail;
  let data = concat(state.stderrLine, bytes);
  let start = 0;
  for (let i = 0; i < data.length; i++) {
    if (data[i] === LF || i - start + 1 >= STDERR_LINE_BYTES) {
      logLine(context, data.subarray(start, data[i] === LF ? i : i + 1));
      start = i + 1;
    }
  }
  data = data.subarray(start);
  state.stderrLine = data.slice();
}

function logLine(context: HostContext, line: Uint8Array): void {
  // stderr is a byte stream, not a string the guest vouches for: invalid UTF-8 is shown as U+FFFD, not refused.
  // Past the log quota lines are dropped; the tail still has them.
  const end = line.length > 0 && line[line.length - 1] === CR ? line.length - 1 : line.length;
  context.logs.add("error", lenientUtf8.decode(line.subarray(0, end)));
}

/** The last STDERR_TAIL_BYTES of stderr, as text (for guest_exit). */
export function stderrTail(context: HostContext): string {
  const state = context.states.get(STDIO_STATE) as StdioState | undefined;
  return state === undefined ? "" : lenientUtf8.decode(state.stderrTail).trim();
}

/**
 * Ends the streams: the last stderr line goes to the logs and, when the guest succeeded, stdout's header block is
 * closed (a block with no blank line after it is all headers; bytes never classified are body). Idempotent.
 */
export function finishStdio(context: HostContext, succeeded: boolean): void {
  const state = context.states.get(STDIO_STATE) as StdioState | undefined;
  if (state === undefined || state.finished) return;
  state.finished = true;
  if (state.stderrLine.length > 0) logLine(context, state.stderrLine);
  if (!succeeded) return;
  const pending = state.pending;
  state.pending = new Uint8Array(0);
  if (state.mode === "start" && pending.length > 0) writeBody(context, state, pending);
  if (state.mode === "headers" && pending.length > 0) headerLine(context, pending[pending.length - 1] === CR ? pending.subarray(0, -1) : pending);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Bytes as code points 0-255: a non-ASCII byte stays visible to the header check, which refuses it. */
function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return text;
}
