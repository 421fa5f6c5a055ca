// Logs, metrics and request ids through the HTTP API: every invocation is observed once where it completes
// (runtime/invocation-observer.ts), its record flushed after the answer into the function's store in its region
// (src/observe), and read back over GET .../logs, .../logs/tail, .../metrics and /metrics.

import { describe, expect, it } from "vitest";
import { MAX_LOG_ENTRIES, MAX_LOG_MESSAGE_BYTES } from "../../src/sandbox/index.ts";
import { AUTH, deployRaw, errorOf, freshName, invoke, request, textOf, type DeployOptions } from "./api-support.ts";
import { guestBytes } from "./runtime-support.ts";

interface LogLine {
  id: number;
  at: number;
  function: string;
  region: string;
  version: number;
  requestId: string;
  outcome: string;
  level: string;
  message: string;
}

interface Summary {
  invocations: number;
  errors: Record<string, number>;
  fuel: { p50: number; p95: number; p99: number };
  durationMs: { p50: number; p95: number; p99: number };
  bytesIn: number;
  bytesOut: number;
  hostCalls: Record<string, number>;
}

async function deployExample(name: string, example: string, options: DeployOptions = {}): Promise<void> {
  const response = await deployRaw(name, guestBytes(`example:${example}`), options);
  if (!response.ok) throw new Error(`deploy of ${example} as ${name} failed: ${response.status} ${await response.text()}`);
}

/** Polls until `check` passes: records reach the store after the answer (flushed through waitUntil). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
  let value = await read();
  for (let attempt = 0; attempt < 100 && !check(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}

async function logsOf(name: string, query = ""): Promise<LogLine[]> {
  const response = await request("GET", `/v1/functions/${name}/logs${query}`, { headers: AUTH });
  if (response.status !== 200) throw new Error(`logs of ${name}: ${response.status} ${await response.text()}`);
  return (await response.json<{ lines: LogLine[] }>()).lines;
}

async function metricsOf(name: string, query = ""): Promise<{ total: Summary; regions: Record<string, Summary> }> {
  const response = await request("GET", `/v1/functions/${name}/metrics${query}`, { headers: AUTH });
  if (response.status !== 200) throw new Error(`metrics of ${name}: ${response.status} ${await response.text()}`);
  return response.json();
}

describe("request ids and usage headers", () => {
  it("answers with the caller's valid request id, or a minted one, on success and on failure", async () => {
    const name = freshName("rid");
    await deployExample(name, "logger", { query: { regions: "wnam" } });
    const kept = await invoke(name, "one", { headers: { "x-helios-request-id": "caller-id-1" } });
    expect(kept.status).toBe(200);
    expect(kept.headers.get("x-helios-request-id")).toBe("caller-id-1");

    const minted = await invoke(name, "one", { headers: { "x-helios-request-id": "not valid!" } });
    expect(minted.headers.get("x-helios-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    const failed = await invoke(freshName("missing"), "x", { headers: { "x-helios-request-id": "caller-id-2" } });
    expect(failed.status).toBe(404);
    expect(failed.headers.get("x-helios-request-id")).toBe("caller-id-2");
  });

  it("reports host calls and bytes in and out", async () => {
    const name = freshName("usage");
    await deployExample(name, "logger", { query: { regions: "wnam" } });
    const payload = "first\nwarn: second";
    const response = await invoke(name, payload);
    const body = await textOf(response);
    expect(body).toBe("logged 2");
    expect(response.headers.get("x-helios-bytes-in")).toBe(String(payload.length));
    expect(response.headers.get("x-helios-bytes-out")).toBe(String(body.length));
    // Two log calls and at least one output call.
    expect(Number(response.headers.get("x-helios-host-calls"))).toBeGreaterThanOrEqual(3);
  });
});

describe("logs", () => {
  it("keeps a successful invocation's lines with its request id, filtered by level and limited", async () => {
    const name = freshName("logs");
    await deployExample(name, "logger", { query: { regions: "wnam" } });
    const response = await invoke(name, "first\nwarn: second\nerror: third", { region: "wnam", headers: { "x-helios-request-id": "read-back-1" } });
    expect(await textOf(response)).toBe("logged 3");

    const lines = await eventually(() => logsOf(name), (l) => l.length >= 3);
    expect(lines.map((l) => [l.level, l.message])).toEqual([["info", "first"], ["warn", "second"], ["error", "third"]]);
    for (const line of lines) expect(line).toMatchObject({ function: name, region: "wnam", version: 1, requestId: "read-back-1", outcome: "ok" });

    expect((await logsOf(name, "?level=warn")).map((l) => l.message)).toEqual(["second", "third"]);
    expect((await logsOf(name, "?limit=1")).map((l) => l.message)).toEqual(["third"]);
    expect(await logsOf(name, `?since=${lines[0]!.at + 60_000}`)).toEqual([]);
    expect((await logsOf(name, "?region=wnam")).length).toBe(3);
    expect(await logsOf(name, "?region=weur")).toEqual([]);
  });

  it("keeps a failed invocation's lines with its error code", async () => {
    const name = freshName("trap-logs");
    await deployExample(name, "trap", { query: { regions: "wnam" } });
    const response = await invoke(name, "on purpose", { headers: { "x-helios-request-id": "failed-1" } });
    expect(response.status).toBeGreaterThanOrEqual(400);
    const lines = await eventually(() => logsOf(name), (l) => l.length >= 1);
    expect(lines[0]).toMatchObject({ requestId: "failed-1", outcome: "guest_trap" });
    expect(lines[0]!.message).toContain("deliberate failure: on purpose");
  });

  it("caps lines per invocation: the collector's count cap, and a line over the size cap is refused", async () => {
    const name = freshName("caps");
    await deployExample(name, "logger", { query: { regions: "wnam" } });
    const many = Array.from({ length: MAX_LOG_ENTRIES + 5 }, (_, i) => `line ${i}`).join("\n");
    expect(await textOf(await invoke(name, many))).toBe(`logged ${MAX_LOG_ENTRIES}, refused 5`);
    const lines = await eventually(() => logsOf(name, "?limit=1000"), (l) => l.length >= MAX_LOG_ENTRIES);
    expect(lines.length).toBe(MAX_LOG_ENTRIES);
    expect(lines.at(-1)!.message).toBe(`line ${MAX_LOG_ENTRIES - 1}`);

    const big = await invoke(name, "x".repeat(MAX_LOG_MESSAGE_BYTES + 1));
    expect(await textOf(big)).toBe("logged 0, refused 1");
  });

  it("attributes an edge_invoke callee's lines to the callee, with the caller's request id", async () => {
    const callee = freshName("callee");
    const caller = freshName("caller");
    await deployExample(callee, "logger", { query: { regions: "weur" } });
    await deployExample(caller, "chain", { query: { profile: "invoke", regions: "wnam", config: JSON.stringify({ target: callee, region: "weur" }) } });
    const response = await invoke(caller, "from the caller", { region: "wnam", headers: { "x-helios-request-id": "chain-1" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-helios-request-id")).toBe("chain-1");
    const lines = await eventually(() => logsOf(callee), (l) => l.length >= 1);
    expect(lines).toEqual([expect.objectContaining({ function: callee, region: "weur", requestId: "chain-1", message: "from the caller" })]);
    // The caller's metrics count its own invocation; the callee's its own.
    const calleeMetrics = await eventually(() => metricsOf(callee), (m) => m.total.invocations >= 1);
    expect(calleeMetrics.regions.weur!.invocations).toBe(1);
    const callerMetrics = await eventually(() => metricsOf(caller), (m) => m.total.invocations >= 1);
    expect(callerMetrics.regions.wnam!.hostCalls).toMatchObject({ heliosdb_edge_invoke: 1 });
  });

  it("tails new lines live as server-sent events", async () => {
    const name = freshName("tail");
    await deployExample(name, "logger", { query: { regions: "wnam" } });
    const tail = await request("GET", `/v1/functions/${name}/logs/tail?region=wnam`, { headers: AUTH });
    expect(tail.status).toBe(200);
    expect(tail.headers.get("content-type")).toBe("text/event-stream");
    const reader = tail.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value);
    expect(text.startsWith(":")).toBe(true);

    await invoke(name, "live line", { headers: { "x-helios-request-id": "tail-1" } });
    while (!text.includes("\n\nevent: log") && !text.startsWith("event: log")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    await reader.cancel();
    const data = text.split("\n").find((l) => l.startsWith("data: "))!;
    expect(JSON.parse(data.slice(6))).toMatchObject({ function: name, region: "wnam", requestId: "tail-1", message: "live line", level: "info" });
  });

  it("refuses bad queries and unknown functions clearly", async () => {
    const name = freshName("bad-query");
    await deployExample(name, "hello", { query: { regions: "wnam" } });
    for (const query of ["?limit=0", "?limit=abc", "?level=loud", "?region=mars", "?other=1"]) {
      const response = await request("GET", `/v1/functions/${name}/logs${query}`, { headers: AUTH });
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toBe("invalid_request");
    }
    const unknown = await request("GET", `/v1/functions/${freshName("nobody")}/logs`, { headers: AUTH });
    expect(unknown.status).toBe(404);
    expect((await request("GET", `/v1/functions/${name}/logs`)).status).toBe(401);
  });
});

describe("metrics", () => {
  it("counts the invocations made, errors by code, bytes and host calls, per region and in total", async () => {
    const name = freshName("metered");
    await deployExample(name, "logger", { query: { regions: "wnam,weur" } });
    for (let i = 0; i < 4; i++) expect((await invoke(name, "a\nb", { region: "wnam" })).status).toBe(200);
    expect((await invoke(name, "c", { region: "weur" })).status).toBe(200);
    const metrics = await eventually(() => metricsOf(name), (m) => m.total.invocations >= 5);
    expect(metrics.total.invocations).toBe(5);
    expect(metrics.regions.wnam!.invocations).toBe(4);
    expect(metrics.regions.weur!.invocations).toBe(1);
    expect(metrics.total.errors).toEqual({});
    expect(metrics.total.bytesIn).toBe(4 * 3 + 1);
    expect(metrics.total.bytesOut).toBe(4 * "logged 2".length + "logged 1".length);
    expect(metrics.total.hostCalls.heliosdb_log).toBe(4 * 2 + 1);
    expect(metrics.total.fuel.p50).toBeGreaterThan(0);
    expect(metrics.total.fuel.p50).toBeLessThanOrEqual(metrics.total.fuel.p99);
    expect(metrics.total.durationMs.p95).toBeLessThanOrEqual(metrics.total.durationMs.p99);
    expect((await metricsOf(name, "?region=weur")).regions).toEqual({ weur: metrics.regions.weur });
  });

  it("answers the window minute by minute, zeros included, summed over regions", async () => {
    const name = freshName("series");
    await deployExample(name, "trap", { query: { regions: "wnam,weur" } });
    await invoke(name, "x", { region: "wnam" });
    await invoke(name, "x", { region: "weur" });
    await eventually(() => metricsOf(name), (m) => m.total.invocations >= 2);
    const response = await request("GET", `/v1/functions/${name}/metrics/series?window=5`, { headers: AUTH });
    expect(response.status).toBe(200);
    const series = (await response.json()) as { windowMinutes: number; minutes: (Summary & { at: number })[] };
    expect(series.windowMinutes).toBe(5);
    expect(series.minutes).toHaveLength(5);
    const starts = series.minutes.map((m) => m.at);
    expect(starts.every((at, i) => at % 60_000 === 0 && (i === 0 || at - starts[i - 1]! === 60_000))).toBe(true);
    expect(series.minutes.reduce((sum, m) => sum + m.invocations, 0)).toBe(2);
    expect(series.minutes.flatMap((m) => Object.entries(m.errors))).toEqual(expect.arrayContaining([["guest_trap", expect.any(Number)]]));
    expect(series.minutes.filter((m) => m.invocations === 0).every((m) => m.fuel.p99 === 0 && Object.keys(m.errors).length === 0)).toBe(true);
    const weur = (await (await request("GET", `/v1/functions/${name}/metrics/series?window=5&region=weur`, { headers: AUTH })).json()) as typeof series;
    expect(weur.minutes.reduce((sum, m) => sum + m.invocations, 0)).toBe(1);
    expect((await request("GET", `/v1/functions/${name}/metrics/series?window=0`, { headers: AUTH })).status).toBe(400);
    expect((await request("GET", `/v1/functions/${name}/metrics/series`)).status).toBe(401);
  });

  it("counts errors by code and exposes everything as Prometheus text behind the token", async () => {
    const name = freshName("prom");
    await deployExample(name, "trap", { query: { regions: "wnam" } });
    for (let i = 0; i < 3; i++) await invoke(name, "x", { region: "wnam" });
    const metrics = await eventually(() => metricsOf(name), (m) => m.total.invocations >= 3);
    expect(metrics.total).toMatchObject({ invocations: 3, errors: { guest_trap: 3 } });

    const text = await (await request("GET", "/metrics", { headers: AUTH })).text();
    expect(text).toContain("# TYPE helios_invocations gauge");
    expect(text).toContain(`helios_invocations{function="${name}",region="wnam",window_minutes="60"} 3`);
    expect(text).toContain(`helios_invocation_errors{function="${name}",region="wnam",window_minutes="60",code="guest_trap"} 3`);
    expect(text).toMatch(new RegExp(`helios_fuel_used\\{function="${name}",region="wnam",window_minutes="60",quantile="0.99"\\} \\d+`));
    expect((await request("GET", "/metrics")).status).toBe(401);
  });

  it("counts refusals before the run of a deployed function (private without a token, payload over its limit)", async () => {
    const name = freshName("refused");
    await deployExample(name, "hello", { query: { regions: "wnam", private: "true", maxPayloadBytes: "8" } });
    const anonymous = await invoke(name, "x", { region: "wnam", headers: { "x-helios-request-id": "refused-1" } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("x-helios-request-id")).toBe("refused-1");
    const tooLarge = await invoke(name, "123456789", { region: "wnam", headers: AUTH });
    expect(tooLarge.status).toBe(413);
    expect((await invoke(name, "ok", { region: "wnam", headers: AUTH })).status).toBe(200);
    const metrics = await eventually(() => metricsOf(name), (m) => m.total.invocations >= 3);
    expect(metrics.total.invocations).toBe(3);
    expect(metrics.total.errors).toEqual({ [(await errorOf(anonymous.clone())).code]: 1, payload_too_large: 1 });
  });
});
