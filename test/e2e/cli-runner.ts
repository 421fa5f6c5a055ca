// Runs the helios CLI as a user would, as a child process with its own HOME (so the saved login is the test's own)
// and no HELIOS_* variables from the surrounding environment; captures stdout, stderr and the exit code.

import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../..");
const bin = join(repoRoot, "cli", "helios.mjs");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  stdin?: string | Uint8Array;
  env?: Record<string, string>;
  cwd?: string;
  /** Run through `npx helios` (the package's bin) instead of node cli/helios.mjs. */
  npx?: boolean;
}

export function cliHome(): string {
  return mkdtempSync(join(tmpdir(), "helios-cli-home-"));
}

export function runCli(home: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith("HELIOS_") && key !== "XDG_CONFIG_HOME") env[key] = value;
  }
  Object.assign(env, { HOME: home, NO_COLOR: "1" }, options.env);
  const [command, argv] = options.npx ? ["npx", ["--no-install", "helios", ...args]] : [process.execPath, [bin, ...args]];
  const child = spawn(command, argv, { cwd: options.cwd ?? repoRoot, env, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdin.end(options.stdin ?? "");
  return new Promise((done, fail) => {
    child.once("error", fail);
    child.once("close", (code) => done({ code, stdout, stderr }));
  });
}
