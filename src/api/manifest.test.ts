import { describe, expect, it } from "vitest";
import { outboundPolicy } from "../runtime/index.ts";
import { InvalidRequestError } from "./errors.ts";
import { allowedHostIssues, assertAllowedHosts, parseManifest } from "./manifest.ts";

const sha256 = "a".repeat(64);
const regions = ["wnam"];
const hosts = (allowedHosts: string[]) => parseManifest({ sha256, profile: "network", allowedHosts }, regions).allowedHosts;

describe("allowedHosts at deploy", () => {
  const policy = outboundPolicy({}, ["helios.example.workers.dev"]);
  const attacks = ["127.0.0.1", "localhost", "127.1", "0.0.0.0", "169.254.169.254", "10.0.0.1", "192.168.1.1", "172.16.0.1", "helios.example.workers.dev",
    "helios.example.workers.dev:443", "[::1]", "[fe80::]", "[fc00::]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[::]", "224.0.0.1", "255.255.255.255",
    "2130706433", "0x7f000001", "api.localhost", "localhost:3000", "0", "0x7f.1"];

  it.each(attacks)("refuses %s", (host) => {
    const issues = allowedHostIssues(hosts([host]), policy);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ field: "allowedHosts", message: expect.stringMatching(/^refused: /) });
  });

  it("accepts public hosts and IPv6 literals, and asks for URL.host's spelling of a public address", () => {
    expect(allowedHostIssues(hosts(["api.example.com", "b.test:8080", "8.8.8.8", "[2606:4700::1111]"]), policy)).toEqual([]);
    expect(allowedHostIssues(hosts(["0x08080808"]), policy)).toEqual([{ field: "allowedHosts", message: "0x08080808 must be written as 8.8.8.8" }]);
    expect(() => assertAllowedHosts(["10.0.0.1"], policy)).toThrow(InvalidRequestError);
  });

  it("private hosts only through the operator's setting, exactly the host and port it names", () => {
    const operator = outboundPolicy({ HELIOS_OUTBOUND_ALLOW_PRIVATE: "localhost:3000,127.0.0.1:9999" }, ["helios.example.workers.dev"]);
    expect(allowedHostIssues(["localhost:3000", "127.0.0.1:9999"], operator)).toEqual([]);
    expect(allowedHostIssues(["localhost:3001", "127.0.0.1"], operator)).toHaveLength(2);
    // Even an exempted address is refused when it is the runtime's own host.
    const self = outboundPolicy({ HELIOS_OUTBOUND_ALLOW_PRIVATE: "127.0.0.1:8787" }, ["127.0.0.1:8787"]);
    expect(allowedHostIssues(["127.0.0.1:8787"], self)[0].message).toMatch(/own host/);
  });

  it("a deployer has no field that grants private hosts", () => {
    for (const field of ["allowPrivate", "HELIOS_OUTBOUND_ALLOW_PRIVATE", "allowPrivateHosts"]) {
      expect(() => parseManifest({ sha256, profile: "network", allowedHosts: ["127.0.0.1"], [field]: true }, regions)).toThrow(/unknown field/);
    }
  });
});
