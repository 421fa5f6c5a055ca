// Command-line parsing on Node's util.parseArgs: every command declares its positionals and options as data, from
// which parsing (strict: unknown options and missing arguments are usage errors) and its --help text derive.

import { parseArgs } from "node:util";
import { UsageError } from "./errors.mjs";

/**
 * @typedef {{ type: "string" | "boolean", short?: string, multiple?: boolean, value?: string, description: string }} OptionSpec
 * @typedef {{ name: string, required?: boolean, variadic?: boolean, description: string }} PositionalSpec
 * @typedef {{
 *   name: string, summary: string, description?: string,
 *   positionals?: PositionalSpec[], options?: Record<string, OptionSpec>, examples?: string[],
 *   auth?: "required" | "optional" | "none",
 *   run: (context: any) => Promise<number | void>,
 * }} CommandSpec
 */

/** Options every command takes. */
export const GLOBAL_OPTIONS = /** @type {Record<string, OptionSpec>} */ ({
  url: { type: "string", value: "url", description: "server URL (else HELIOS_URL, else the saved login, else http://127.0.0.1:8787)" },
  token: { type: "string", value: "token", description: "API token (else HELIOS_TOKEN, else the saved login)" },
  json: { type: "boolean", description: "print JSON for scripts instead of text" },
  timeout: { type: "string", value: "seconds", description: "give up on a request after this long (default 120)" },
  help: { type: "boolean", short: "h", description: "show this help" },
});

/**
 * Parses the arguments after the command name against its spec.
 * @param {CommandSpec} spec @param {string[]} args
 * @returns {{ values: Record<string, any>, positionals: Record<string, any> }}
 */
export function parseCommandArgs(spec, args) {
  const options = { ...GLOBAL_OPTIONS, ...(spec.options ?? {}) };
  // --help wins over every other mistake on the line, so it always shows the usage.
  if (args.includes("--help") || args.includes("-h")) return { values: { help: true }, positionals: {} };
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: Object.fromEntries(
        Object.entries(options).map(([name, o]) => [
          name,
          { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
        ]),
      ),
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(parseErrorMessage(error), spec.name);
  }
  const values = /** @type {Record<string, any>} */ ({ ...parsed.values });
  if (values.help) return { values, positionals: {} };

  const declared = spec.positionals ?? [];
  const given = parsed.positionals;
  /** @type {Record<string, any>} */
  const positionals = {};
  let index = 0;
  for (const p of declared) {
    if (p.variadic) {
      positionals[p.name] = given.slice(index);
      index = given.length;
      if (p.required && positionals[p.name].length === 0) throw new UsageError(`missing <${p.name}>`, spec.name);
      continue;
    }
    if (index < given.length) positionals[p.name] = given[index++];
    else if (p.required) throw new UsageError(`missing <${p.name}>`, spec.name);
  }
  if (index < given.length) throw new UsageError(`unexpected argument ${JSON.stringify(given[index])}`, spec.name);
  if (values.timeout !== undefined) values.timeout = positiveNumber(values.timeout, "--timeout", spec.name);
  return { values, positionals };
}

/** parseArgs' messages name the option but end with advice for programmers; keep the first sentence. */
function parseErrorMessage(error) {
  const message = /** @type {Error} */ (error).message;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const needsValue = /^Option '(?:-\w, )?(--[\w-]+)[^']*' argument missing/.exec(message);
  if (needsValue) return `${needsValue[1]} needs a value`;
  const noValue = /^Option '(?:-\w, )?(--[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return `${noValue[1]} does not take a value`;
  return message.split(". ")[0];
}

/** @param {string} raw @param {string} flag @param {string} [command] */
export function positiveNumber(raw, flag, command) {
  const value = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(value > 0)) throw new UsageError(`${flag} must be a positive number, got ${JSON.stringify(raw)}`, command);
  return value;
}

/** @param {string} raw @param {string} flag @param {string} [command] */
export function nonNegativeInteger(raw, flag, command) {
  if (!/^\d+$/.test(raw)) throw new UsageError(`${flag} must be a whole number, got ${JSON.stringify(raw)}`, command);
  return Number(raw);
}

/** `a,b , c` -> ["a", "b", "c"]; repeated flags concatenate. @param {string | string[] | undefined} raw */
export function listOption(raw) {
  if (raw === undefined) return undefined;
  return (Array.isArray(raw) ? raw : [raw]).flatMap((item) => item.split(",")).map((s) => s.trim()).filter(Boolean);
}

/** The --help text of one command. @param {CommandSpec} spec */
export function commandHelp(spec) {
  const positionals = (spec.positionals ?? [])
    .map((p) => (p.required ? `<${p.name}${p.variadic ? "..." : ""}>` : `[${p.name}${p.variadic ? "..." : ""}]`))
    .join(" ");
  const lines = [`Usage: helios ${spec.name}${positionals ? ` ${positionals}` : ""} [options]`, "", spec.summary];
  if (spec.description) lines.push("", spec.description);
  if (spec.positionals?.length) {
    lines.push("", "Arguments:");
    for (const p of spec.positionals) lines.push(row(`  ${p.name}`, p.description));
  }
  const own = Object.entries(spec.options ?? {});
  if (own.length) {
    lines.push("", "Options:");
    for (const [name, o] of own) lines.push(row(optionLabel(name, o), o.description));
  }
  lines.push("", "Global options:");
  for (const [name, o] of Object.entries(GLOBAL_OPTIONS)) lines.push(row(optionLabel(name, o), o.description));
  if (spec.examples?.length) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return lines.join("\n");
}

/** @param {string} name @param {OptionSpec} o */
function optionLabel(name, o) {
  const short = o.short ? `-${o.short}, ` : "    ";
  return `  ${short}--${name}${o.type === "string" ? ` <${o.value ?? "value"}>` : ""}${o.multiple ? " ..." : ""}`;
}

function row(left, right) {
  return left.length >= 30 ? `${left}\n${" ".repeat(30)}${right}` : `${left.padEnd(30)}${right}`;
}
