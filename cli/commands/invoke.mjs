// helios invoke: runs a function once with a payload and prints its output bytes.

import { readFileSync } from "node:fs";
import { nonNegativeInteger } from "../lib/args.mjs";
import { UsageError } from "../lib/errors.mjs";
import { seg } from "../lib/http-client.mjs";
import { readBytes } from "../lib/stdin.mjs";

/** Response headers of an invocation, as JSON fields (`helios invoke --json`).
 *  @type {[string, string, (raw: string) => string | number][]} */
const RESULT_HEADERS = [
  ["region", "x-helios-region", String],
  ["version", "x-helios-version", Number],
  ["sha256", "x-helios-sha256", String],
  ["fuelUsed", "x-helios-fuel-used", Number],
  ["memoryPages", "x-helios-memory-pages", Number],
  ["durationMs", "x-helios-duration-ms", Number],
  ["leaks", "x-helios-leaks", Number],
  ["requestId", "x-helios-request-id", String],
];

/** @type {import("../lib/args.mjs").CommandSpec} */
export const invoke = {
  name: "invoke",
  summary: "invoke a function and print its output",
  description:
    "The payload is the argument as UTF-8, or the bytes of --file, or stdin with --stdin (or `-` as the payload);\n" +
    "none means an empty payload. The output bytes go to stdout unchanged; --verbose adds the region, version,\n" +
    "fuel and duration on stderr. The saved token is sent, so private functions work once logged in.",
  positionals: [
    { name: "name", required: true, description: "the function, or name@alias" },
    { name: "payload", description: "payload text (`-` reads stdin)" },
  ],
  options: {
    file: { type: "string", short: "f", value: "path", description: "send the bytes of this file" },
    stdin: { type: "boolean", description: "send what stdin holds" },
    region: { type: "string", short: "r", value: "region", description: "run in this region (default: the server's choice)" },
    version: { type: "string", value: "n", description: "run this version, whatever the deployment routes to (not with name@alias)" },
    verbose: { type: "boolean", short: "v", description: "print region, version, fuel, memory and duration on stderr" },
  },
  examples: ["helios invoke hello Ada", "helios invoke echo --file input.bin --region weur", "echo '{}' | helios invoke json-transform -"],
  async run({ values, args, out, client, io }) {
    const payload = await readPayload(values, args.payload, io);
    const response = await client.send("POST", `/v1/functions/${seg(args.name)}/invoke`, {
      body: payload,
      query: { region: values.region, version: values.version === undefined ? undefined : nonNegativeInteger(values.version.replace(/^v/, ""), "--version", "invoke") },
      headers: { "content-type": "application/octet-stream", accept: "*/*" },
      auth: "optional",
    });
    const output = new Uint8Array(await response.arrayBuffer());
    const meta = Object.fromEntries(
      RESULT_HEADERS.flatMap(([field, header, convert]) => {
        const value = response.headers.get(header);
        return value === null ? [] : [[field, convert(value)]];
      }),
    );
    if (out.jsonMode) {
      out.result({ output: utf8OrNull(output), outputBase64: Buffer.from(output).toString("base64"), ...meta }, () => "");
      return;
    }
    io.stdout.write(output);
    if (io.stdout.isTTY && output.length > 0 && output[output.length - 1] !== 0x0a) io.stdout.write("\n");
    if (values.verbose) {
      io.stderr.write(
        `region ${meta.region} · version ${meta.version} · fuel ${meta.fuelUsed} · memory ${meta.memoryPages} pages · ${meta.durationMs} ms` +
          `${meta.leaks ? ` · ${meta.leaks} leaked blocks` : ""}${meta.requestId ? ` · request ${meta.requestId}` : ""}\n`,
      );
    }
  },
};

/** @returns {Promise<Uint8Array>} */
async function readPayload(values, positional, io) {
  const fromStdin = values.stdin || positional === "-";
  const sources = [positional !== undefined && positional !== "-", values.file !== undefined, fromStdin].filter(Boolean).length;
  if (sources > 1) throw new UsageError("give the payload one way: an argument, --file or --stdin", "invoke");
  if (values.file !== undefined) {
    try {
      return new Uint8Array(readFileSync(values.file));
    } catch (error) {
      throw new UsageError(`cannot read ${values.file}: ${/** @type {Error} */ (error).message}`, "invoke");
    }
  }
  if (fromStdin) return new Uint8Array(await readBytes(io.stdin));
  return new TextEncoder().encode(positional ?? "");
}

/** @param {Uint8Array} bytes */
function utf8OrNull(bytes) {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}
