import { describe, expect, it } from "vitest";
import { ApiError, NetworkError, NotLoggedInError, ProtocolError } from "./errors.mjs";
import { HeliosClient } from "./http-client.mjs";
import { formatError } from "./output.mjs";

/** A client whose fetch records the request and answers `respond(url, init)`. */
function clientWith(respond, token = "tok") {
  const calls = [];
  const client = new HeliosClient({
    url: "http://helios.test",
    token,
    fetch: async (url, init) => {
      calls.push({ url: String(url), init });
      return respond(url, init);
    },
  });
  return { client, calls };
}

const json = (body, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

async function failure(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("HeliosClient", () => {
  it("sends the bearer token, a JSON body and the query, and answers the parsed body", async () => {
    const { client, calls } = clientWith(() => json({ ok: true }));
    expect(await client.json("POST", "/v1/x", { json: { a: 1 }, query: { region: "wnam", skip: undefined } })).toEqual({ ok: true });
    expect(calls[0].url).toBe("http://helios.test/v1/x?region=wnam");
    expect(calls[0].init.headers.authorization).toBe("Bearer tok");
    expect(calls[0].init.headers["content-type"]).toBe("application/json");
    expect(calls[0].init.body).toBe('{"a":1}');
  });

  it("turns the API's error JSON into an ApiError with its code, status and fields; exit 2, or 4 for auth", async () => {
    const body = { error: { code: "unknown_function", message: 'no function named "x" is deployed', functionName: "x" } };
    const refused = await failure(clientWith(() => json(body, 404)).client.json("GET", "/v1/functions/x"));
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ code: "unknown_function", status: 404, exitCode: 2, fields: { functionName: "x" } });
    expect(formatError(refused)).toBe('error: no function named "x" is deployed (unknown_function, HTTP 404)\n  functionName: x');

    const auth = await failure(clientWith(() => json({ error: { code: "unauthorized", message: "no" } }, 401)).client.json("GET", "/v1/functions"));
    expect(auth.exitCode).toBe(4);
    expect(formatError(auth)).toContain("hint: check the token");
    const forbidden = await failure(clientWith(() => json({ error: { code: "forbidden", message: "scope" } }, 403)).client.json("GET", "/"));
    expect(forbidden.exitCode).toBe(4);
  });

  it("lists invalid_request issues and guest logs one a line", async () => {
    const body = {
      error: {
        code: "invalid_request", message: "invalid manifest", field: "regions",
        issues: [{ field: "regions.0", message: "unknown region" }, { field: "limits.fuel", message: "must be positive" }],
      },
    };
    const error = await failure(clientWith(() => json(body, 400)).client.json("PUT", "/v1/functions/x"));
    expect(formatError(error).split("\n")).toEqual([
      "error: invalid manifest (invalid_request, HTTP 400)",
      "  field: regions",
      "  - regions.0: unknown region",
      "  - limits.fuel: must be positive",
    ]);
    const trap = await failure(
      clientWith(() => json({ error: { code: "guest_trap", message: "trapped", logs: [{ level: "info", message: "before" }] } }, 500)).client.send("POST", "/i"),
    );
    expect(formatError(trap)).toContain("  logs:\n    [info] before");
  });

  it("reports an answer that is not the API's JSON as a protocol error (exit 5)", async () => {
    const html = await failure(clientWith(() => new Response("<html>Bad gateway</html>", { status: 502 })).client.json("GET", "/v1/functions"));
    expect(html).toBeInstanceOf(ProtocolError);
    expect(html.exitCode).toBe(5);
    expect(html.message).toContain("HTTP 502");
    expect(html.message).toContain("<html>Bad gateway</html>");
    const notJson = await failure(clientWith(() => new Response("plain", { status: 200 })).client.json("GET", "/v1/functions"));
    expect(notJson).toBeInstanceOf(ProtocolError);
    const redirect = await failure(clientWith(() => new Response("", { status: 301, headers: { location: "https://elsewhere/" } })).client.json("GET", "/"));
    expect(redirect.message).toContain("redirected to https://elsewhere/");
  });

  it("reports no answer at all as a network error (exit 3) naming the cause", async () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const error = await failure(clientWith(() => { throw new TypeError("fetch failed", { cause }); }).client.json("GET", "/"));
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toBe("cannot reach http://helios.test: connect ECONNREFUSED 127.0.0.1:9");
  });

  it("refuses before sending when a token is required and none is configured (exit 4); optional auth sends none", async () => {
    const { client, calls } = clientWith(() => json({}), null);
    const error = await failure(client.json("GET", "/v1/functions"));
    expect(error).toBeInstanceOf(NotLoggedInError);
    expect(error.exitCode).toBe(4);
    expect(calls).toHaveLength(0);
    await client.json("GET", "/v1/regions", { auth: "optional" });
    expect(calls[0].init.headers.authorization).toBeUndefined();
  });
});
