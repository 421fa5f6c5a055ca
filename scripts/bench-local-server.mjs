// The local server as `npm start` runs it, for benchmarks that need its process (its memory, say): like
// test/e2e/local-server.ts, on a free port with a fresh state directory and its own token.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./lib/bench-support.mjs";

/** The local server as `npm start` runs it, on a free port with a fresh state directory (like test/e2e/local-server.ts). */
export async function startLocalServer() {
  const port = await new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
  const stateDir = mkdtempSync(join(tmpdir(), "helios-bench-"));
  const token = randomBytes(16).toString("hex");
  const child = spawn(process.execPath, ["scripts/start.mjs", "--port", String(port), "--persist-to", stateDir, "--no-watch"], {
    cwd: repoRoot,
    env: { ...process.env, HELIOS_TOKEN: token, WRANGLER_SEND_METRICS: "false" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  await new Promise((ready, fail) => {
    const check = setInterval(() => output.includes("Helios Edge ready at") && (clearInterval(check), ready()), 100);
    child.once("exit", (code) => (clearInterval(check), fail(new Error(`start.mjs exited with ${code}:\n${output}`))));
  });
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    token,
    stateDir,
    child,
    output: () => output,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once("exit", () => done());
        child.kill("SIGTERM");
      }),
  };
}


/** Resident memory (bytes) of `pid` and all its descendants (the local server's workerd is a grandchild), from /proc. */
export function treeRssBytes(pid) {
  const children = new Map();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(Number(entry));
    } catch {
      // The process ended meanwhile.
    }
  }
  let total = 0;
  const visit = (p) => {
    const status = `/proc/${p}/status`;
    if (existsSync(status)) {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(status, "utf8"));
      if (match) total += Number(match[1]) * 1024;
    }
    for (const child of children.get(p) ?? []) visit(child);
  };
  visit(pid);
  return total;
}
