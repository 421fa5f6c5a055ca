import { describe, expect, it } from "vitest";
import { COMMANDS } from "./commands/index.mjs";
import { main } from "./main.mjs";

/** Runs the CLI in-process with captured streams and no saved login. */
async function run(argv, env = {}) {
  let stdout = "";
  let stderr = "";
  const io = {
    stdout: { write: (s) => (stdout += s), isTTY: false },
    stderr: { write: (s) => (stderr += s), isTTY: false },
    stdin: { isTTY: false, async *[Symbol.asyncIterator]() {} },
    env: { HELIOS_CONFIG: "/nonexistent/helios-test/config.json", ...env },
    cwd: process.cwd(),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

describe("main", () => {
  it("prints the command list: exit 0 with --help, 1 with nothing at all", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    for (const command of COMMANDS) expect(help.stdout).toContain(`  ${command.name} `);
    expect((await run([])).code).toBe(1);
  });

  it("gives every command a unique name and a --help", async () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const command of COMMANDS) {
      const result = await run([...command.name.split(" "), "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^Usage: helios ${command.name}\\b`));
    }
  });

  it("lists a group's commands for a group name alone (exit 1) or with --help (exit 0)", async () => {
    const group = await run(["db"]);
    expect(group.code).toBe(1);
    expect(group.stdout).toContain("db rows insert");
    expect((await run(["db", "rows", "--help"])).code).toBe(0);
  });

  it("refuses an unknown command with exit 1, as JSON with --json", async () => {
    const text = await run(["deplyo"]);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain('unknown command "deplyo"');
    const json = await run(["deplyo", "--json"]);
    expect(JSON.parse(json.stdout)).toEqual({ error: { code: "usage", message: expect.stringContaining("unknown command") } });
  });

  it("refuses a bad --url before sending anything", async () => {
    const result = await run(["list", "--url", "ftp://example.com", "--token", "t"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("the URL must be http or https");
  });

  it("needs a token for management commands and says how to get one (exit 4)", async () => {
    const result = await run(["list", "--url", "http://127.0.0.1:9"]);
    expect(result.code).toBe(4);
    expect(result.stderr).toContain("no token: run `helios login`, set HELIOS_TOKEN, or pass --token");
  });
});
