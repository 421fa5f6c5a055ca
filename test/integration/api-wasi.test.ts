// WASI guests through the whole Worker: deployed with the `wasi` profile, invoked over /fn, each case of the hostile
// corpus answered with its documented code, and the runtime still serving after every one.

import { describe, expect, it } from "vitest";
import type { GuestName } from "../support/guest-modules.ts";
import { deployed as deployedGuest, deployRaw, errorOf, freshName, guest as guestBytes, request } from "./api-support.ts";

// The corpus' names are made from its files, so they are not in GuestName's literal union.
const deployed = (name: string, guestName: string, options: Parameters<typeof deployedGuest>[2]) => deployedGuest(name, guestName as GuestName, options);
const guest = (guestName: string) => guestBytes(guestName as GuestName);

/** The corpus' outcomes as HTTP answers (status by the error catalogue). */
const CASES: [string, number, string | null][] = [
  ["wasi-iovec-out-of-bounds", 200, null],
  ["wasi-iovec-wrapping", 200, null],
  ["wasi-iovec-counts", 200, null],
  ["wasi-bad-fds", 200, null],
  ["wasi-proc-exit-zero", 200, null],
  ["wasi-stdin-echo", 200, null],
  ["wasi-cgi-response", 404, null],
  ["wasi-proc-exit-start", 500, "guest_exit"],
  ["wasi-proc-exit-handler", 500, "guest_exit"],
  ["wasi-stdout-flood", 502, "response_too_large"],
  ["wasi-cgi-crlf-injection", 502, "invalid_response_header"],
  ["wasi-cgi-10000-headers", 502, "invalid_response_header"],
  ["wasi-yield-loop", 422, "out_of_fuel"],
];

describe("WASI over /fn", () => {
  it.each(CASES)("%s answers %i %s, and the runtime keeps serving", async (guestName, status, code) => {
    const name = freshName("wasi");
    await deployed(name, guestName, { query: { profile: "wasi", maxResponseBytes: "4096", fuel: "2000000" } });
    const response = await request("POST", `/fn/${name}/x?y=1`, { body: "body bytes" });
    expect(response.status).toBe(status);
    if (code !== null) expect((await errorOf(response)).code).toBe(code);
    else await response.arrayBuffer();
    expect((await request("GET", "/healthz")).status).toBe(200);
  });

  it("the CGI header block becomes the answer's status and headers; stdin is the body", async () => {
    const cgi = freshName("wasi");
    await deployed(cgi, "wasi-cgi-response", { query: { profile: "wasi" } });
    const response = await request("GET", `/fn/${cgi}`);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("set-cookie")).toBe("a=1, b=2");
    expect(await response.text()).toBe("<p>missing</p>");
    const echo = freshName("wasi");
    await deployed(echo, "wasi-stdin-echo", { query: { profile: "wasi" } });
    expect(await (await request("PUT", `/fn/${echo}`, { body: "round trip" })).text()).toBe("round trip");
  });

  it("guest_exit carries the exit code and the tail of stderr", async () => {
    const name = freshName("wasi");
    await deployed(name, "wasi-proc-exit-start", { query: { profile: "wasi" } });
    const error = await errorOf(await request("GET", `/fn/${name}`));
    expect(error).toMatchObject({ code: "guest_exit", exitCode: 3 });
    expect(String(error.stderr)).toContain("config not found: GREETING");
  });

  it("without the wasi profile every WASI import is refused in one answer, each with the hint", async () => {
    const response = await deployRaw(freshName("wasi"), guest("wasi-stdin-echo"));
    expect(response.status).toBe(422);
    const violations = (await errorOf(response)).violations as { rule: string; import: string; hint?: string }[];
    expect(violations.map((v) => [v.rule, v.import])).toEqual([
      ["capability_missing", "wasi_snapshot_preview1.fd_write"],
      ["capability_missing", "wasi_snapshot_preview1.fd_read"],
    ]);
    expect(violations.every((v) => v.hint?.includes('"wasi" profile'))).toBe(true);
  });
});
