// Starts the real local server the way `npm start` does (node scripts/start.mjs: wrangler.toml in workerd, served by
// Miniflare directly with no dev proxy), on a free port with a fresh state directory and its own token, and stops it
// again. No file watching, so edits elsewhere cannot restart it.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The repository root: the nearest folder up with scripts/start.mjs (this file is also bundled for the benchmarks). */
function findRepoRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "scripts", "start.mjs"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no scripts/start.mjs above ${from}`);
  }
}

const repoRoot = findRepoRoot(import.meta.dirname);

export interface LocalServer {
  baseUrl: string;
  token: string;
  stateDir: string;
  /** Everything start.mjs printed so far. */
  output(): string;
  stop(): Promise<void>;
  /** SIGKILL of the server and every process it started (workerd): a crash, nothing flushed. Needs `processGroup`. */
  kill(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
    });
  });
}

export interface LocalServerOptions {
  stateDir?: string;
  token?: string;
  /** More start.mjs options, e.g. ["--no-examples", "--log-level", "warn"] (the benchmarks use this too). */
  args?: string[];
  /** Extra environment, e.g. operator settings. */
  env?: Record<string, string>;
  /** Listen on this port (default: a free one), e.g. when an operator setting must name it. */
  port?: number;
  /** Start it as its own process group, so kill() can SIGKILL workerd with it (crash tests). */
  processGroup?: boolean;
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const port = options.port ?? (await freePort());
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), "helios-e2e-"));
  const token = options.token ?? randomBytes(16).toString("hex");
  const child = spawn(process.execPath, ["scripts/start.mjs", "--port", String(port), "--persist-to", stateDir, "--no-watch", ...(options.args ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, HELIOS_TOKEN: token, WRANGLER_SEND_METRICS: "false", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: options.processGroup === true,
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));

  const ready = new Promise<void>((ready, fail) => {
    const check = setInterval(() => {
      if (output.includes("Helios Edge ready at")) {
        clearInterval(check);
        ready();
      }
    }, 100);
    child.once("exit", (code) => {
      clearInterval(check);
      fail(new Error(`start.mjs exited with ${code} before it was ready:\n${output}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token,
    stateDir,
    output: () => output,
    stop: () => stopChild(child),
    kill: () => killGroup(child, options.processGroup === true),
  };
}

async function killGroup(child: ChildProcess, group: boolean): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  // A negative pid signals the whole group: start.mjs and the workerd it spawned die at the same instant.
  if (group) process.kill(-child.pid!, "SIGKILL");
  else child.kill("SIGKILL");
  await exited;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  child.kill("SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((done) => (timer = setTimeout(() => done("timeout"), 15_000)));
  // The timer is cleared once the child exited: a pending one would keep the caller's process alive (a global setup's).
  const outcome = await Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
  if (outcome === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Number of blobs in the local R2 bucket's persisted state. */
export function storedBlobCount(stateDir: string): number {
  const blobs = join(stateDir, "v3", "r2", "helios-modules", "blobs");
  return existsSync(blobs) ? readdirSync(blobs).length : 0;
}
