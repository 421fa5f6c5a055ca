// Dispatch: finds the command named by the leading words (`deploy`, `db sql`, `db rows insert`), parses its
// arguments, resolves the server and token, runs it and turns any failure into a message and an exit code.

import { readFileSync } from "node:fs";
import { COMMANDS } from "./commands/index.mjs";
import { commandHelp, parseCommandArgs } from "./lib/args.mjs";
import { configPath, readConfig, resolveTarget } from "./lib/config.mjs";
import { CliError, UsageError } from "./lib/errors.mjs";
import { EXIT, EXIT_TABLE } from "./lib/exit-codes.mjs";
import { HeliosClient } from "./lib/http-client.mjs";
import { Output } from "./lib/output.mjs";

/** Exit code of a failure inside the CLI itself (a bug), after EX_SOFTWARE of sysexits.h. */
export const EXIT_INTERNAL = 70;

/**
 * @typedef {{ stdout: any, stderr: any, stdin: any, env: NodeJS.ProcessEnv, cwd: string }} Io
 * @param {string[]} argv @param {Io} io @returns {Promise<number>}
 */
export async function main(argv, io) {
  const out = new Output({ json: argv.includes("--json"), stdout: io.stdout, stderr: io.stderr });
  try {
    return await dispatch(argv, io, out);
  } catch (error) {
    out.error(error);
    return error instanceof CliError ? error.exitCode : EXIT_INTERNAL;
  }
}

/** @param {string[]} argv @param {Io} io @param {Output} out @returns {Promise<number>} */
async function dispatch(argv, io, out) {
  const first = argv[0];
  if (first === undefined || first === "help" || first === "--help" || first === "-h") {
    const topic = first === "help" ? findCommand(argv.slice(1)) : null;
    io.stdout.write(`${topic ? commandHelp(topic.spec) : topLevelHelp()}\n`);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === "--version") {
    io.stdout.write(`${packageVersion()}\n`);
    return EXIT.ok;
  }

  const found = findCommand(argv);
  if (found === null) {
    const words = leadingWords(argv);
    const group = groupCommands(words);
    if (group.length > 0) {
      io.stdout.write(`${groupHelp(words.join(" "), group)}\n`);
      return argv.includes("--help") || argv.includes("-h") ? EXIT.ok : EXIT.usage;
    }
    throw new UsageError(`unknown command ${JSON.stringify(words.join(" ") || first)}; run \`helios --help\` for the list`);
  }

  const { spec, rest } = found;
  const { values, positionals } = parseCommandArgs(spec, rest);
  if (values.help) {
    io.stdout.write(`${commandHelp(spec)}\n`);
    return EXIT.ok;
  }
  const path = configPath(io.env);
  const target = resolveTarget({ url: values.url, token: values.token }, io.env, readConfig(path));
  const client = new HeliosClient({ url: target.url, token: target.token, timeoutSeconds: values.timeout });
  const code = await spec.run({ values, args: positionals, out, client, target, configPath: path, io });
  return typeof code === "number" ? code : EXIT.ok;
}

/** @param {string[]} argv */
function leadingWords(argv) {
  const words = [];
  for (const arg of argv) {
    if (arg.startsWith("-")) break;
    words.push(arg);
  }
  return words;
}

/** The longest run of leading words that names a command. @param {string[]} argv */
function findCommand(argv) {
  const words = leadingWords(argv);
  for (let n = Math.min(words.length, 3); n > 0; n--) {
    const spec = COMMANDS.find((c) => c.name === words.slice(0, n).join(" "));
    if (spec) return { spec, rest: argv.slice(n) };
  }
  return null;
}

/** Commands under a prefix such as `db` or `db rows`. @param {string[]} words */
function groupCommands(words) {
  if (words.length === 0) return [];
  const prefix = `${words.join(" ")} `;
  return COMMANDS.filter((c) => c.name.startsWith(prefix));
}

function groupHelp(prefix, commands) {
  return [`Usage: helios ${prefix} <command> [options]`, "", "Commands:", ...commandRows(commands), "", `Run \`helios ${prefix} <command> --help\` for details.`].join("\n");
}

function commandRows(commands) {
  const width = Math.max(...commands.map((c) => c.name.length)) + 4;
  return commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
}

function topLevelHelp() {
  return [
    "Usage: helios <command> [options]",
    "",
    "Deploy and run WebAssembly functions on Helios Edge.",
    "",
    "Commands:",
    ...commandRows(COMMANDS),
    "",
    "Every command takes --help, --json (output for scripts), --url and --token.",
    "Server and token: --url/--token, else HELIOS_URL/HELIOS_TOKEN, else the file `helios login` writes.",
    "",
    "Exit codes:",
    ...EXIT_TABLE.map(([code, meaning]) => `  ${String(code).padEnd(4)}${meaning}`),
    `  ${String(EXIT_INTERNAL).padEnd(4)}internal error in the CLI itself (a bug)`,
  ].join("\n");
}

function packageVersion() {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
  return pkg.version;
}
