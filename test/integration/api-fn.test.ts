// Functions as HTTP handlers: ANY /fn/:name[/*] forwards method, path, query, headers (minus Authorization) and
// body to the guest and answers with the status, headers and body it set (docs/abi.md "Version 2").

import { describe, expect, it } from "vitest";
import { GUEST_CONTENT_POLICY } from "../../src/api/invoke-function.ts";
import { AUTH, deployed, errorOf, freshName, invoke, request } from "./api-support.ts";

/** The http-echo guest's answer: method, path, query, x-probe, header lines..., then the body. */
function lines(text: string) {
  const [method, path, query, probe, ...rest] = text.split("\n");
  return { method, path, query, probe, rest: rest.join("\n") };
}

describe("ANY /fn/:name/*", () => {
  it("forwards method, path below the name, query and headers; answers with the guest's status and headers", async () => {
    const name = freshName("http");
    await deployed(name, "http-echo");
    const response = await request("GET", `/fn/${name}/a/b%20c/?x=1&y=%C3%A9&region=apac`, {
      headers: { "x-probe": "hello", ...AUTH },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(response.headers.get("x-guest")).toBe("yes");
    // The query belongs to the function: ?region= does not pick the region.
    expect(response.headers.get("x-helios-region")).toBe("wnam");
    const seen = lines(await response.text());
    expect(seen).toMatchObject({ method: "GET", path: "/a/b%20c/", query: "x=1&y=%C3%A9&region=apac", probe: "hello" });
    expect(seen.rest).toContain("x-probe: hello\n");
    // The caller's credential for the runtime never reaches the function.
    expect(seen.rest.toLowerCase()).not.toContain("authorization");
    expect(seen.rest).not.toContain("test-token");
  });

  it("every answer a guest authors carries the sandbox policy that gives its documents an opaque origin, over /fn and invoke", async () => {
    const name = freshName("http");
    await deployed(name, "http-echo");
    for (const response of [await request("GET", `/fn/${name}/page`), await invoke(name, "x")]) {
      const policies = response.headers.get("content-security-policy") ?? "";
      expect(policies).toContain(GUEST_CONTENT_POLICY);
      expect(GUEST_CONTENT_POLICY.split(" ")).not.toContain("allow-same-origin");
      await response.arrayBuffer();
    }
  });

  it("PUT, DELETE, PATCH and the root path reach the guest with their bodies; region from x-helios-region", async () => {
    const name = freshName("http");
    await deployed(name, "http-echo");
    for (const method of ["PUT", "DELETE", "PATCH", "POST"]) {
      const response = await request(method, `/fn/${name}`, { body: `body of ${method}`, headers: { "x-helios-region": "weur" } });
      expect(response.status).toBe(201);
      expect(response.headers.get("x-helios-region")).toBe("weur");
      const seen = lines(await response.text());
      expect(seen).toMatchObject({ method, path: "/", query: "", probe: "-" });
      expect(seen.rest.endsWith(`body of ${method}\n`)).toBe(true);
    }
    const head = await request("HEAD", `/fn/${name}/x`);
    expect(head.status).toBe(201);
    expect(await head.text()).toBe("");
  });

  it("a version-1 guest over /fn answers 200 application/octet-stream with its output, as over invoke", async () => {
    const name = freshName("v1");
    await deployed(name, "echo");
    const response = await request("PUT", `/fn/${name}/anything?q=1`, { body: "same bytes" });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/octet-stream");
    expect(await response.text()).toBe("same bytes");
  });

  it("invoke gives a version-2 guest a POST to its root, with the guest's status and headers", async () => {
    const name = freshName("http");
    await deployed(name, "http-echo");
    const response = await invoke(name, "payload", { headers: { "x-probe": "via-invoke" } });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(lines(await response.text())).toMatchObject({ method: "POST", path: "/", probe: "via-invoke" });
  });

  it("a header with CR LF fails the invocation with invalid_response_header (502), and the next request is served", async () => {
    const name = freshName("split");
    await deployed(name, "http-bad-header");
    const response = await request("GET", `/fn/${name}`);
    expect(response.status).toBe(502);
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(await errorOf(response)).toMatchObject({ code: "invalid_response_header", header: "x-split", source: "heliosdb_response_header" });
    const echo = freshName("http");
    await deployed(echo, "http-echo");
    expect((await request("GET", `/fn/${echo}`)).status).toBe(201);
  });

  it("private functions need the token over /fn too; a wrong token is refused; unknown names are 404", async () => {
    const name = freshName("priv");
    await deployed(name, "http-echo", { query: { private: "true" } });
    expect((await request("GET", `/fn/${name}/x`)).status).toBe(401);
    expect((await request("GET", `/fn/${name}/x`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    const ok = await request("GET", `/fn/${name}/x`, { headers: AUTH });
    expect(ok.status).toBe(201);
    expect(await ok.text()).not.toContain("test-token");
    const missing = await request("GET", `/fn/${freshName("nobody")}`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe("unknown_function");
    expect((await request("GET", "/fn/Bad_Name")).status).toBe(400);
  });
});
