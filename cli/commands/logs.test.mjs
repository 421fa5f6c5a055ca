import { describe, expect, it } from "vitest";
import { UsageError } from "../lib/errors.mjs";
import { epochMs, formatLine, serverSentEvents } from "./logs.mjs";

function streamOf(...chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });
}

describe("serverSentEvents", () => {
  it("yields events split anywhere across chunks, skipping comments, joining multi-line data, CRLF or LF", async () => {
    const events = [];
    for await (const event of serverSentEvents(streamOf(": open\n\nevent: log\nda", 'ta: {"a":1}\n\r\nevent: log\r\ndata: x\r\ndata: y\r\n\r\ndata: plain\n\n'))) events.push(event);
    expect(events).toEqual([
      { event: "log", data: '{"a":1}' },
      { event: "log", data: "x\ny" },
      { event: "message", data: "plain" },
    ]);
  });
});

describe("formatLine / epochMs", () => {
  it("prints time, region, version, level, message, outcome when not ok, and request id", () => {
    const line = { at: 0, region: "wnam", version: 3, level: "warn", message: "low stock", outcome: "guest_trap", requestId: "r1" };
    expect(formatLine(line)).toBe("1970-01-01T00:00:00.000Z wnam v3 warn  low stock [guest_trap] (request r1)");
  });

  it("takes epoch milliseconds or an ISO date, and refuses anything else", () => {
    expect(epochMs("1700000000000")).toBe(1700000000000);
    expect(epochMs("1970-01-01T00:00:01Z")).toBe(1000);
    expect(() => epochMs("yesterday")).toThrow(UsageError);
  });
});
