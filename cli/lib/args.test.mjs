import { describe, expect, it } from "vitest";
import { commandHelp, GLOBAL_OPTIONS, listOption, parseCommandArgs } from "./args.mjs";
import { UsageError } from "./errors.mjs";

const spec = {
  name: "demo",
  summary: "a demo command",
  positionals: [
    { name: "name", required: true, description: "the name" },
    { name: "payload", description: "optional payload" },
  ],
  options: {
    region: { type: "string", short: "r", multiple: true, description: "regions" },
    yes: { type: "boolean", short: "y", description: "skip the question" },
  },
  run: async () => {},
};

function usageError(fn) {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(1);
    return error.message;
  }
  throw new Error("expected a UsageError");
}

describe("parseCommandArgs", () => {
  it("maps positionals by name and keeps options, short and long", () => {
    const { values, positionals } = parseCommandArgs(spec, ["fn", "data", "-r", "wnam", "--region", "weur,apac", "-y", "--json"]);
    expect(positionals).toEqual({ name: "fn", payload: "data" });
    expect(values.region).toEqual(["wnam", "weur,apac"]);
    expect(values.yes).toBe(true);
    expect(values.json).toBe(true);
    expect(listOption(values.region)).toEqual(["wnam", "weur", "apac"]);
  });

  it("leaves an optional positional out when it is not given", () => {
    expect(parseCommandArgs(spec, ["fn"]).positionals).toEqual({ name: "fn" });
  });

  it("refuses a missing required argument, an extra argument and unknown options", () => {
    expect(usageError(() => parseCommandArgs(spec, []))).toBe("missing <name>");
    expect(usageError(() => parseCommandArgs(spec, ["a", "b", "c"]))).toBe('unexpected argument "c"');
    expect(usageError(() => parseCommandArgs(spec, ["a", "--nope"]))).toBe("unknown option --nope");
    expect(usageError(() => parseCommandArgs(spec, ["a", "--region"]))).toMatch(/--region needs a value/);
    expect(usageError(() => parseCommandArgs(spec, ["a", "--yes=1"]))).toMatch(/--yes does not take a value/);
  });

  it("names the command in usage errors so the message can point at its --help", () => {
    try {
      parseCommandArgs(spec, []);
    } catch (error) {
      expect(error.command).toBe("demo");
    }
  });

  it("answers --help even when the rest of the line is wrong", () => {
    expect(parseCommandArgs(spec, ["--bogus", "-h"]).values.help).toBe(true);
    expect(parseCommandArgs(spec, ["--help"]).values.help).toBe(true);
  });

  it("checks --timeout as a positive number of seconds", () => {
    expect(parseCommandArgs(spec, ["a", "--timeout", "2.5"]).values.timeout).toBe(2.5);
    expect(usageError(() => parseCommandArgs(spec, ["a", "--timeout", "0"]))).toMatch(/--timeout must be a positive number/);
    expect(usageError(() => parseCommandArgs(spec, ["a", "--timeout", "soon"]))).toMatch(/--timeout/);
  });
});

describe("commandHelp", () => {
  it("shows the usage line, every own and global option, and marks required arguments", () => {
    const help = commandHelp(spec);
    expect(help).toMatch(/^Usage: helios demo <name> \[payload\] \[options\]/);
    expect(help).toContain("-r, --region <value> ...");
    expect(help).toContain("-y, --yes");
    for (const name of Object.keys(GLOBAL_OPTIONS)) expect(help).toContain(`--${name}`);
  });
});

describe("listOption", () => {
  it("splits commas, trims and drops empty items; undefined stays undefined", () => {
    expect(listOption(" a, b,,c ")).toEqual(["a", "b", "c"]);
    expect(listOption(undefined)).toBeUndefined();
  });
});
