// helios logs [--tail]: a function's stored log lines, or a live tail of new ones (server-sent events).

import { nonNegativeInteger } from "../lib/args.mjs";
import { ProtocolError, UsageError } from "../lib/errors.mjs";
import { seg } from "../lib/http-client.mjs";

/** @type {import("../lib/args.mjs").CommandSpec} */
export const logs = {
  name: "logs",
  summary: "a function's log lines (every invocation's, kept per region); --tail follows new ones live",
  description:
    "Without --tail: the newest --limit lines (or the first from --since on), oldest first. With --tail: new lines\n" +
    "as they are stored, until interrupted (or --count lines). --json prints one JSON object per line (NDJSON).",
  positionals: [{ name: "name", required: true, description: "the function" }],
  options: {
    tail: { type: "boolean", short: "f", description: "follow new lines live" },
    since: { type: "string", value: "time", description: "lines from this time on (ISO date or epoch milliseconds)" },
    limit: { type: "string", short: "n", value: "n", description: "how many lines (server default 100, at most 1000)" },
    level: { type: "string", short: "l", value: "level", description: "this level and above (debug, info, warn, error)" },
    region: { type: "string", short: "r", value: "region", description: "one region only (default: all)" },
    count: { type: "string", value: "n", description: "with --tail: stop after n lines" },
  },
  examples: ["helios logs hello", "helios logs hello --tail --level warn", "helios logs hello --since 2026-12-02T15:00:00Z --json"],
  async run({ values, args, out, client, io }) {
    const path = `/v1/functions/${seg(args.name)}/logs`;
    const printLine = (line) => io.stdout.write(out.jsonMode ? `${JSON.stringify(line)}\n` : `${formatLine(line)}\n`);
    if (values.tail) {
      const count = values.count === undefined ? Infinity : nonNegativeInteger(values.count, "--count", "logs");
      const response = await client.send("GET", `${path}/tail`, {
        query: { level: values.level, region: values.region },
        headers: { accept: "text/event-stream" },
        timeout: false,
      });
      out.note(`tailing ${args.name} (Ctrl-C to stop)`);
      let seen = 0;
      for await (const event of serverSentEvents(response.body)) {
        if (event.event !== "log") continue;
        let line;
        try {
          line = JSON.parse(event.data);
        } catch {
          throw new ProtocolError(`the tail sent a log event that is not JSON: ${event.data.slice(0, 200)}`);
        }
        printLine(line);
        if (++seen >= count) break;
      }
      return;
    }
    const answer = await client.json("GET", path, {
      query: {
        since: values.since === undefined ? undefined : epochMs(values.since),
        limit: values.limit === undefined ? undefined : nonNegativeInteger(values.limit, "--limit", "logs"),
        level: values.level,
        region: values.region,
      },
    });
    if (out.jsonMode) for (const line of answer.lines) printLine(line);
    else if (answer.lines.length === 0) io.stdout.write("no log lines\n");
    else for (const line of answer.lines) printLine(line);
  },
};

/** `2026-12-02T16:00:00.000Z wnam v3 info  hello (req 1f2e…)` @param {any} line */
export function formatLine(line) {
  const at = typeof line.at === "number" ? new Date(line.at).toISOString() : String(line.at);
  const outcome = line.outcome && line.outcome !== "ok" ? ` [${line.outcome}]` : "";
  return `${at} ${line.region} v${line.version} ${String(line.level).padEnd(5)} ${line.message}${outcome}${line.requestId ? ` (request ${line.requestId})` : ""}`;
}

/** An ISO date or epoch milliseconds, as epoch milliseconds. @param {string} raw */
export function epochMs(raw) {
  if (/^\d+$/.test(raw)) return Number(raw);
  const ms = Date.parse(raw);
  if (Number.isNaN(ms)) throw new UsageError(`--since must be an ISO date or epoch milliseconds, got ${JSON.stringify(raw)}`, "logs");
  return ms;
}

/**
 * The events of a text/event-stream body (comments skipped): { event, data } per blank-line-terminated block.
 * @param {ReadableStream<Uint8Array> | null} body
 */
export async function* serverSentEvents(body) {
  if (!body) return;
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of /** @type {any} */ (body)) {
    buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line === "" || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
        if (field === "event") event = value;
        else if (field === "data") data.push(value);
      }
      if (data.length > 0) yield { event, data: data.join("\n") };
    }
  }
}
