// The helios CLI driven end to end against the real local server (started as `npm start` starts it): login, deploy
// of a built example with its helios.json, invoke, list, show, delete, and the failures scripts rely on, by exit
// code: 1 usage, 2 refused by the server, 3 unreachable, 4 auth.

import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliHome, repoRoot, runCli, type CliOptions } from "./cli-runner.ts";
import { freePort, startLocalServer, type LocalServer } from "./local-server.ts";

const EXAMPLES = join(repoRoot, "modules", "build", "examples");
let server: LocalServer;
let home: string;

beforeAll(async () => {
  if (!existsSync(join(EXAMPLES, "echo.wasm"))) throw new Error("run `npm run build:modules` first (npm test does)");
  server = await startLocalServer();
  home = cliHome();
});
afterAll(async () => {
  await server?.stop();
  if (server) rmSync(server.stateDir, { recursive: true, force: true });
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The CLI with the test's saved login (after the login test) and nothing else. */
const helios = (args: string[], options: CliOptions = {}) => runCli(home, args, options);

/** A function directory as a user has it: the built module and a helios.json beside it. */
function functionDir(name: string, manifest: Record<string, unknown>, example = "echo"): string {
  const dir = join(home, "functions", name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(EXAMPLES, `${example}.wasm`), join(dir, `${example}.wasm`));
  writeFileSync(join(dir, "helios.json"), JSON.stringify({ name, module: `${example}.wasm`, ...manifest }));
  return dir;
}

function leb128(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

describe("helios CLI: help", () => {
  it("runs as the package's bin (npx helios) and lists every command with the exit codes", async () => {
    const result = await helios(["--help"], { npx: true });
    expect(result.code, result.stderr).toBe(0);
    for (const command of ["login", "deploy", "invoke", "list", "delete"]) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, "m"));
    expect(result.stdout).toMatch(/^  4 +no token configured, or the token was refused/m);
  });

  it("answers --help on every command it lists", async () => {
    const { stdout } = await helios(["--help"]);
    const commands = [...stdout.matchAll(/^  ([a-z][a-z -]*?[a-z])  +\S/gm)].map((m) => m[1]).filter((c) => !/^\d/.test(c));
    expect(commands.length).toBeGreaterThan(5);
    for (const command of commands) {
      const result = await helios([...command.split(" "), "--help"]);
      expect(result.code, `${command}: ${result.stderr}`).toBe(0);
      expect(result.stdout).toContain(`Usage: helios ${command}`);
    }
  });

  it("refuses an unknown command or option with exit 1", async () => {
    expect((await helios(["deplyo"])).code).toBe(1);
    const bad = await helios(["list", "--frobnicate"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("unknown option --frobnicate");
  });
});

describe("helios CLI against the local server", () => {
  it("login refuses a wrong token (exit 4) and saves nothing; the right one is saved 0600", async () => {
    const configFile = join(home, ".config", "helios", "config.json");
    const wrong = await helios(["login", "--url", server.baseUrl, "--token-stdin"], { stdin: "not-the-token\n" });
    expect(wrong.code, wrong.stderr).toBe(4);
    expect(wrong.stderr).toContain("unauthorized");
    expect(existsSync(configFile)).toBe(false);

    const right = await helios(["login", "--url", server.baseUrl, "--token-stdin"], { stdin: `${server.token}\n` });
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toContain(`logged in to: ${server.baseUrl}`);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(configFile, "utf8"))).toEqual({ url: server.baseUrl, token: server.token });
  });

  it("deploys a built example from its helios.json and invokes it with a payload from an argument, a file and stdin", async () => {
    const dir = functionDir("cli-echo", { regions: ["wnam", "weur"], limits: { fuel: 50_000_000 } });
    const deployed = await helios(["deploy", dir, "--progress"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    expect(deployed.stdout).toMatch(/^deployed cli-echo v1 \(sha256 [0-9a-f]{12}…, [\d.]+ KiB\) in wnam, weur$/m);
    expect(deployed.stderr).toMatch(/uploading cli-echo .* \(100%\)/);

    const fromArg = await helios(["invoke", "cli-echo", "hello from the CLI", "--region", "weur"]);
    expect(fromArg.code, fromArg.stderr).toBe(0);
    expect(fromArg.stdout).toBe("hello from the CLI");

    const payloadFile = join(dir, "payload.bin");
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff);
    writeFileSync(payloadFile, bytes);
    const fromFile = await helios(["invoke", "cli-echo", "--file", payloadFile, "--region", "wnam", "--json"]);
    expect(fromFile.code, fromFile.stderr).toBe(0);
    const answer = JSON.parse(fromFile.stdout);
    expect(Buffer.from(answer.outputBase64, "base64")).toEqual(Buffer.from(bytes));
    expect(answer).toMatchObject({ region: "wnam", version: 1, output: null });
    expect(answer.fuelUsed).toBeGreaterThan(0);

    const fromStdin = await helios(["invoke", "cli-echo", "-", "-r", "wnam", "--verbose"], { stdin: "piped in" });
    expect(fromStdin.stdout).toBe("piped in");
    expect(fromStdin.stderr).toMatch(/^region wnam · version 1 · fuel \d+ · memory \d+ pages · [\d.]+ ms/m);
  });

  it("shows upload progress for a large module without being asked, in quarters when stderr is not a terminal", async () => {
    // echo.wasm plus a 1.5 MiB custom section (valid anywhere after the header, ignored by the engine).
    const payload = new Uint8Array(1536 * 1024).fill(0x2a);
    const name = new TextEncoder().encode("cli-padding");
    const body = [...leb128(name.length), ...name];
    const section = new Uint8Array([0, ...leb128(body.length + payload.length), ...body, ...payload]);
    const dir = functionDir("cli-large", { regions: ["wnam"] });
    const echo = readFileSync(join(dir, "echo.wasm"));
    writeFileSync(join(dir, "echo.wasm"), Buffer.concat([echo, section]));

    const result = await helios(["deploy", dir]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/^uploading cli-large [\d.]+ KiB \/ 1\.5\d MiB \(\d%\)$/);
    expect(lines.at(-1)).toMatch(/^uploading cli-large 1\.5\d MiB \/ 1\.5\d MiB \(100%\)$/);
    // One line as each quarter is reached (chunks are 64 KiB, so a line may land a little past the quarter).
    expect(lines.map((l) => Math.floor(Number(/\((\d+)%\)/.exec(l)![1]) / 25))).toEqual([0, 1, 2, 3, 4]);
    expect((await helios(["invoke", "cli-large", "big", "-r", "wnam"])).stdout).toBe("big");
  });

  it("deploy --json answers the server's view with the sha256 computed from the module", async () => {
    const dir = functionDir("cli-hello", { profile: ["minimal"], regions: ["wnam"] }, "hello");
    const result = await helios(["deploy", join(dir, "helios.json"), "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const body = JSON.parse(result.stdout);
    const expected = createHash("sha256").update(readFileSync(join(dir, "hello.wasm"))).digest("hex");
    expect(body.function).toMatchObject({ name: "cli-hello", sha256: expected, regions: ["wnam"] });
    expect(result.stderr).toBe(""); // no progress in --json mode: stdout and stderr stay clean for scripts
  });

  it("lists and shows what is deployed", async () => {
    const list = await helios(["list"]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^NAME +VERSION +REGIONS/);
    expect(list.stdout).toMatch(/^cli-echo +1 +wnam,weur +minimal +no /m);
    const listJson = JSON.parse((await helios(["list", "--json"])).stdout);
    expect(listJson.functions.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(["cli-echo", "cli-hello"]));
    const show = await helios(["show", "cli-echo"]);
    expect(show.stdout).toMatch(/^regions: +wnam, weur$/m);
    expect(show.stdout).toMatch(/fuel=50000000/);
  });

  it("reports what the server refused with exit 2 and its error code, in text and JSON", async () => {
    const unknown = await helios(["invoke", "no-such-function", "x"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: no function named "no-such-function" is deployed (unknown_function, HTTP 404)');
    const unknownJson = await helios(["invoke", "no-such-function", "--json"]);
    expect(unknownJson.code).toBe(2);
    expect(JSON.parse(unknownJson.stdout).error).toMatchObject({ code: "unknown_function", status: 404, functionName: "no-such-function" });

    const badRegion = await helios(["deploy", functionDir("cli-bad", { regions: ["atlantis"] })]);
    expect(badRegion.code).toBe(2);
    expect(badRegion.stderr).toContain("(invalid_request, HTTP 400)");
    expect(badRegion.stderr).toMatch(/- regions\.0: unknown region "atlantis"/);
  });

  it("refuses a broken helios.json locally with exit 1, sending nothing", async () => {
    const dir = functionDir("cli-broken", {});
    writeFileSync(join(dir, "helios.json"), '{ "name": "cli-broken", ');
    const result = await helios(["deploy", dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not valid JSON");
    expect((await helios(["list"])).stdout).not.toContain("cli-broken");
  });

  it("exits 4 for a refused token (HELIOS_TOKEN wins over the saved login) and 3 for an unreachable server", async () => {
    const badToken = await helios(["list"], { env: { HELIOS_TOKEN: "wrong-token" } });
    expect(badToken.code).toBe(4);
    expect(badToken.stderr).toContain("(unauthorized, HTTP 401)");

    const closedPort = await freePort(); // free a moment ago: nothing listens there
    const unreachable = await helios(["list", "--url", `http://127.0.0.1:${closedPort}`]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain(`cannot reach http://127.0.0.1:${closedPort}`);
    expect(unreachable.stderr).toContain("ECONNREFUSED");

    const noLogin = await runCli(cliHome(), ["list", "--url", server.baseUrl]);
    expect(noLogin.code).toBe(4);
    expect(noLogin.stderr).toContain("no token: run `helios login`");
  });

  it("deletes only with --yes when there is no terminal to ask on, then the function is gone", async () => {
    const unconfirmed = await helios(["delete", "cli-echo"]);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toContain("--yes");
    expect((await helios(["invoke", "cli-echo", "still here", "-r", "wnam"])).stdout).toBe("still here");

    const deleted = await helios(["delete", "cli-echo", "--yes"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe("deleted cli-echo (last version v1)\n");
    expect((await helios(["invoke", "cli-echo", "x", "-r", "wnam"])).code).toBe(2);
    expect((await helios(["delete", "cli-echo", "--yes"])).code).toBe(2);
  });
});

describe("helios CLI: databases", () => {
  const region = ["--region", "weur"];
  // Server and token from the environment (the other way to configure the CLI), so these tests need no saved login.
  const helios = (args: string[], options: CliOptions = {}) =>
    runCli(home, args, { ...options, env: { HELIOS_URL: server.baseUrl, HELIOS_TOKEN: server.token, ...options.env } });

  it("creates a database, gives it a table with SQL and works its rows, in text and JSON", async () => {
    const created = await helios(["db", "create", "cli-shop", ...region]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^database cli-shop in weur \(created /);
    const ddl = await helios(["db", "sql", "cli-shop", "CREATE TABLE orders (id INTEGER PRIMARY KEY, sku TEXT NOT NULL, total REAL NOT NULL)", ...region]);
    expect(ddl.code, ddl.stderr).toBe(0);

    for (const [sku, total] of [["A1", 12.5], ["B2", 3], ["C3", 7.25]] as const) {
      const inserted = await helios(["db", "rows", "insert", "cli-shop", "orders", JSON.stringify({ sku, total }), ...region]);
      expect(inserted.code, inserted.stderr).toBe(0);
    }
    const fromStdin = await helios(["db", "rows", "insert", "cli-shop", "orders", "-", ...region, "--json"], { stdin: '{"sku":"D4","total":1}' });
    expect(JSON.parse(fromStdin.stdout).row).toEqual({ id: 4, sku: "D4", total: 1 });

    const select = await helios(["db", "sql", "cli-shop", "SELECT sku, total FROM orders WHERE total > ? ORDER BY id", "--param", "5", ...region]);
    expect(select.code, select.stderr).toBe(0);
    expect(select.stdout).toMatch(/^sku  total\nA1   12\.5\nC3   7\.25\n2 rows · \d+ read · 0 written\n$/);
    const selectJson = JSON.parse((await helios(["db", "sql", "cli-shop", "SELECT count(*) AS n FROM orders", ...region, "--json"])).stdout);
    expect(selectJson).toMatchObject({ columns: ["n"], rows: [[4]] });

    const page = await helios(["db", "rows", "list", "cli-shop", "orders", "--limit", "2", ...region]);
    expect(page.stdout).toMatch(/^id +sku +total\n1 +A1 +12\.5\n2 +B2 +3\nmore rows: --cursor \S+ \(or --all\)\n$/);
    const all = JSON.parse((await helios(["db", "rows", "list", "cli-shop", "orders", "--limit", "2", "--all", ...region, "--json"])).stdout);
    expect(all.rows.map((r: { sku: string }) => r.sku)).toEqual(["A1", "B2", "C3", "D4"]);
    expect(all.nextCursor).toBeNull();

    const updated = await helios(["db", "rows", "update", "cli-shop", "orders", "2", '{"total":30}', ...region]);
    expect(updated.stdout).toBe('updated {"id":2,"sku":"B2","total":30}\n');
    expect(JSON.parse((await helios(["db", "rows", "get", "cli-shop", "orders", "2", ...region])).stdout)).toEqual({ id: 2, sku: "B2", total: 30 });
    expect((await helios(["db", "rows", "delete", "cli-shop", "orders", "4", ...region])).code).toBe(0);
    const gone = await helios(["db", "rows", "get", "cli-shop", "orders", "4", ...region]);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("(row_not_found, HTTP 404)");

    const described = await helios(["db", "describe", "cli-shop", ...region]);
    expect(described.stdout).toMatch(/^table orders \(3 rows\)$/m);
    expect(described.stdout).toMatch(/^ {2}sku TEXT NOT NULL$/m);
    const listed = await helios(["db", "list"]);
    expect(listed.stdout).toMatch(/^weur +cli-shop /m);
  });

  it("registers, lists and removes a BEFORE trigger", async () => {
    const set = await helios(["db", "triggers", "set", "cli-shop", "check-orders", "--table", "orders", "--events", "insert,update", "--function", "hello", ...region]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe("trigger check-orders: before insert/update on orders runs hello\n");
    const listed = await helios(["db", "triggers", "list", "cli-shop", ...region, "--json"]);
    expect(JSON.parse(listed.stdout).triggers).toEqual([expect.objectContaining({ name: "check-orders", table: "orders", events: ["insert", "update"], function: "hello" })]);
    const incomplete = await helios(["db", "triggers", "set", "cli-shop", "t2", "--table", "orders", ...region]);
    expect(incomplete.code).toBe(1);
    expect(incomplete.stderr).toContain("missing --events, --function");
    expect((await helios(["db", "triggers", "delete", "cli-shop", "check-orders", "--yes", ...region])).code).toBe(0);
    expect(JSON.parse((await helios(["db", "triggers", "list", "cli-shop", ...region, "--json"])).stdout).triggers).toEqual([]);
  });

  it("reports refused SQL and unknown databases with exit 2 and the server's code", async () => {
    const refused = await helios(["db", "sql", "cli-shop", "PRAGMA journal_mode", ...region]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("(sql_refused, HTTP 400)");
    const unknown = await helios(["db", "describe", "no-such-db", ...region]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("(unknown_database, HTTP 404)");
  });

  it("deletes a database only with --yes off a terminal", async () => {
    expect((await helios(["db", "delete", "cli-shop", ...region])).code).toBe(1);
    const deleted = await helios(["db", "delete", "cli-shop", "--yes", ...region]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe("deleted database cli-shop in weur\n");
    expect((await helios(["db", "describe", "cli-shop", ...region])).code).toBe(2);
  });
});

describe("helios CLI: secrets", () => {
  const helios = (args: string[], options: CliOptions = {}) =>
    runCli(home, args, { ...options, env: { HELIOS_URL: server.baseUrl, HELIOS_TOKEN: server.token, ...options.env } });
  const readKey = async (key: string) => {
    const result = await helios(["invoke", "cli-secret", key, "-r", "wnam"]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout).value as string | null;
  };

  it("deploys with a secrets file kept out of helios.json, never printing a value, and the guest reads it", async () => {
    const dir = functionDir("cli-secret", { profile: ["compute"], regions: ["wnam"] }, "config-reader");
    const secretsFile = join(dir, "secrets.env");
    writeFileSync(secretsFile, "# not committed\nAPI_KEY=s3cr3t-from-file\n");
    const dry = await helios(["deploy", dir, "--secrets-file", secretsFile, "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('"secrets":{"API_KEY":"(set)"}');
    const deployed = await helios(["deploy", dir, "--secrets-file", secretsFile, "--json"]);
    expect(deployed.code, deployed.stderr).toBe(0);
    for (const output of [dry.stdout, dry.stderr, deployed.stdout, deployed.stderr]) expect(output).not.toContain("s3cr3t");
    expect(await readKey("API_KEY")).toBe("s3cr3t-from-file");
    const show = await helios(["show", "cli-secret"]);
    expect(show.stdout).toMatch(/^secrets: +API_KEY$/m);
    expect(show.stdout).not.toContain("s3cr3t");
  });

  it("sets a secret from stdin or the environment, lists names only, and removes it", async () => {
    const set = await helios(["secrets", "set", "cli-secret", "TOKEN"], { stdin: "from-stdin\n" });
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toBe("set secret TOKEN of cli-secret\n");
    expect(await readKey("TOKEN")).toBe("from-stdin");
    expect((await helios(["secrets", "set", "cli-secret", "TOKEN", "--from-env", "MY_VALUE"], { env: { MY_VALUE: "from-env" } })).code).toBe(0);
    expect(await readKey("TOKEN")).toBe("from-env");
    expect((await helios(["secrets", "set", "cli-secret", "TOKEN", "--from-env", "UNSET_VARIABLE"])).code).toBe(1);

    const list = await helios(["secrets", "list", "cli-secret"]);
    expect(list.stdout).toMatch(/^SECRET +UPDATED\nAPI_KEY +\S+\nTOKEN +\S+\n$/);
    expect(list.stdout + (await helios(["secrets", "list", "cli-secret", "--json"])).stdout).not.toMatch(/from-env|s3cr3t/);

    expect((await helios(["secrets", "delete", "cli-secret", "TOKEN", "--yes"])).code).toBe(0);
    expect(await readKey("TOKEN")).toBeNull();
    expect((await helios(["secrets", "delete", "cli-secret", "TOKEN", "--yes"])).code).toBe(2);
  });
});

describe("helios CLI: scoped tokens", () => {
  const admin = (args: string[], options: CliOptions = {}) =>
    runCli(home, args, { ...options, env: { HELIOS_URL: server.baseUrl, HELIOS_TOKEN: server.token, ...options.env } });
  const as = (token: string) => (args: string[]) => runCli(home, args, { env: { HELIOS_URL: server.baseUrl, HELIOS_TOKEN: token } });

  it("creates a deploy token shown once on stdout, which deploys under its prefix and is refused elsewhere (exit 4)", async () => {
    const created = await admin(["tokens", "create", "--scope", "deploy", "--prefix", "cli-team-", "--name", "ci"]);
    expect(created.code, created.stderr).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^hlt_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toMatch(/^created tok_[0-9a-f]{16} \(deploy, functions cli-team-\*\); the token below is shown only now$/m);
    const team = as(token);

    const mine = await team(["deploy", functionDir("cli-team-echo", { regions: ["wnam"] })]);
    expect(mine.code, mine.stderr).toBe(0);
    const theirs = await team(["deploy", functionDir("cli-other-echo", { regions: ["wnam"] })]);
    expect(theirs.code).toBe(4);
    expect(theirs.stderr).toContain("(forbidden, HTTP 403)");
    expect(theirs.stderr).toContain("hint: the token's scope does not cover this");
    expect((await team(["db", "list"])).code).toBe(4);

    const listed = await admin(["tokens", "list"]);
    expect(listed.stdout).toMatch(/^tok_[0-9a-f]{16} +deploy +cli-team- +ci /m);
    expect(listed.stdout).not.toContain(token);
  });

  it("revokes a token by id; the revoked token is then refused with exit 4", async () => {
    const created = JSON.parse((await admin(["tokens", "create", "--scope", "read", "--json"])).stdout);
    const reader = as(created.token);
    expect((await reader(["list"])).code).toBe(0);
    expect((await reader(["delete", "cli-team-echo", "--yes"])).code).toBe(4);

    const revoked = await admin(["tokens", "revoke", created.info.id, "--yes"]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toBe(`revoked ${created.info.id}\n`);
    const refused = await reader(["list"]);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("(unauthorized, HTTP 401)");
    expect((await admin(["tokens", "revoke", created.info.id, "--yes"])).code).toBe(2);
    expect((await admin(["tokens", "create"])).code).toBe(1);
  });
});

describe("helios CLI: logs and metrics", () => {
  const helios = (args: string[], options: CliOptions = {}) =>
    runCli(home, args, { ...options, env: { HELIOS_URL: server.baseUrl, HELIOS_TOKEN: server.token, ...options.env } });

  it("reads back a successful invocation's log lines, tails new ones live, and counts the invocations", async () => {
    const deployed = await helios(["deploy", functionDir("cli-logger", { regions: ["wnam"] }, "logger")]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const first = await helios(["invoke", "cli-logger", "first-call", "-r", "wnam", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const requestId = JSON.parse(first.stdout).requestId as string;
    expect(requestId).toBeTruthy();

    const stored = await helios(["logs", "cli-logger", "--json"]);
    expect(stored.code, stored.stderr).toBe(0);
    const lines = stored.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.requestId === requestId && l.region === "wnam" && l.version === 1)).toBe(true);
    const text = await helios(["logs", "cli-logger"]);
    expect(text.stdout).toContain(`(request ${requestId})`);

    // A live tail in its own process: started, then an invocation, then its lines arrive and --count ends it.
    const tail = runCli(home, ["logs", "cli-logger", "--tail", "--count", "1", "--json"], { env: { HELIOS_URL: server.baseUrl, HELIOS_TOKEN: server.token } });
    let second: string | undefined;
    for (let attempt = 0; attempt < 20; attempt++) {
      // The tail subscribes asynchronously; keep invoking until a line reaches it (each call logs).
      const call = await helios(["invoke", "cli-logger", `tail-${attempt}`, "-r", "wnam", "--json"]);
      second ??= JSON.parse(call.stdout).requestId;
      const done = await Promise.race([tail.then(() => true), new Promise((r) => setTimeout(() => r(false), 500))]);
      if (done) break;
    }
    const tailed = await tail;
    expect(tailed.code, tailed.stderr).toBe(0);
    const live = JSON.parse(tailed.stdout.trim());
    expect(live).toMatchObject({ function: "cli-logger", region: "wnam" });
    expect(live.requestId).not.toBe(requestId);

    const metrics = await helios(["metrics", "cli-logger", "--json"]);
    expect(metrics.code, metrics.stderr).toBe(0);
    const body = JSON.parse(metrics.stdout);
    const invocations = Number(body.regions.wnam.invocations);
    expect(invocations).toBeGreaterThanOrEqual(2);
    expect(body.total.invocations).toBe(invocations);
    const table = await helios(["metrics", "cli-logger"]);
    expect(table.stdout).toMatch(new RegExp(`^wnam +${invocations} +0 `, "m"));
    expect((await helios(["logs", "no-such-function"])).code).toBe(2);
  });
});

describe("helios CLI: versions, rollback, aliases", () => {
  const helios = (args: string[], options: CliOptions = {}) =>
    runCli(home, args, { ...options, env: { HELIOS_URL: server.baseUrl, HELIOS_TOKEN: server.token, ...options.env } });
  const output = async (args: string[]) => {
    const result = await helios(args);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout;
  };
  let dir: string;

  it("answers an identical redeploy as unchanged, lists versions with what each serves", async () => {
    dir = functionDir("cli-versions", { regions: ["wnam"] }, "echo");
    expect(await output(["deploy", dir])).toMatch(/^deployed cli-versions v1 /);
    expect(await output(["deploy", dir])).toMatch(/^unchanged: cli-versions v1 already has these bytes and settings/);
    copyFileSync(join(EXAMPLES, "hello.wasm"), join(dir, "echo.wasm"));
    expect(await output(["deploy", dir])).toMatch(/^deployed cli-versions v2 /);

    const versions = await output(["versions", "cli-versions"]);
    expect(versions).toMatch(/^VERSION +SHA256 +REGIONS +PROFILE +SERVING +DEPLOYED\n2 +\S+ +wnam +minimal +default +\S+\n1 +\S+ +wnam +minimal +\S+\n$/);
    expect(JSON.parse(await output(["versions", "cli-versions", "--json"])).versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    expect(await output(["invoke", "cli-versions", "Ada", "-r", "wnam"])).toBe("Hello, Ada!");
  });

  it("rolls back to the previous version and to a named one, with no upload; pins a version on invoke", async () => {
    expect(await output(["rollback", "cli-versions"])).toMatch(/^rolled back cli-versions to v1 \(deployment \d+\) in wnam$/m);
    expect(await output(["invoke", "cli-versions", "Ada", "-r", "wnam"])).toBe("Ada");
    expect(await output(["invoke", "cli-versions", "Ada", "-r", "wnam", "--version", "2"])).toBe("Hello, Ada!");
    expect(await output(["rollback", "cli-versions", "--to", "2"])).toMatch(/^rolled back cli-versions to v2 /);
    expect(await output(["invoke", "cli-versions", "Ada", "-r", "wnam"])).toBe("Hello, Ada!");
    const kinds = JSON.parse(await output(["deployments", "cli-versions", "--json"])).deployments.map((d: { kind: string }) => d.kind);
    expect(kinds.slice(0, 4)).toEqual(["rollback", "rollback", "deploy", "deploy"]);

    const unknown = await helios(["rollback", "cli-versions", "--to", "9"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("(unknown_version, HTTP 404)");
    expect((await helios(["rollback", "cli-versions", "--to", "latest"])).code).toBe(1);
  });

  it("points an alias at a version, invokes name@alias, splits the default route, and removes the alias", async () => {
    expect(await output(["alias", "set", "cli-versions", "stable", "1"])).toMatch(/^cli-versions@stable serves v1 \(deployment \d+\)$/m);
    expect(await output(["alias", "list", "cli-versions"])).toMatch(/^ALIAS +SERVES\nstable +v1\n$/);
    expect(await output(["invoke", "cli-versions@stable", "Ada", "-r", "wnam"])).toBe("Ada");

    expect(await output(["route", "cli-versions", "2:50,1:50"])).toMatch(/^cli-versions now serves v2 50% · v1 50% /);
    expect(await output(["versions", "cli-versions"])).toMatch(/^1 +.* default 50%, @stable /m);
    const bad = await helios(["route", "cli-versions", "2:50,1:40"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("(invalid_request, HTTP 400)");

    expect(await output(["alias", "delete", "cli-versions", "stable"])).toMatch(/^removed cli-versions@stable /);
    expect(await output(["alias", "list", "cli-versions"])).toBe("no aliases\n");
    expect((await helios(["invoke", "cli-versions@stable", "Ada", "-r", "wnam"])).code).toBe(2);
  });
});
