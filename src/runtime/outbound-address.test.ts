import { describe, expect, it } from "vitest";
import { classifyHost, IPV4_RANGES, IPV6_RANGES, normalizeHostname, parseIpv4, parseIpv6 } from "./outbound-address.ts";

describe("outbound address classification", () => {
  // The attack list that reached the allow-list before (issue 7), each with the class it must get.
  const attacks: [string, string][] = [
    ["127.0.0.1", "loopback"],
    ["localhost", "local-name"],
    ["127.1", "loopback"],
    ["0.0.0.0", "unspecified"],
    ["169.254.169.254", "link-local"],
    ["10.0.0.1", "private"],
    ["192.168.1.1", "private"],
    ["172.16.0.1", "private"],
    ["::1", "loopback"],
    ["[::1]", "loopback"],
    ["fe80::", "link-local"],
    ["[fe80::1%25eth0]", "reserved"], // a zone id is no valid URL host: refused, never public
    ["fc00::", "unique-local"],
    ["fd12:3456::1", "unique-local"],
    ["::ffff:127.0.0.1", "loopback"],
    ["[::ffff:7f00:1]", "loopback"],
    ["[::]", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["255.255.255.255", "broadcast"],
  ];
  it.each(attacks)("%s is %s", (host, expected) => {
    expect(classifyHost(host)).toBe(expected);
  });

  it("sees through every IPv4 spelling a URL accepts: shorthand, decimal, hex, octal, trailing dot", () => {
    for (const host of ["2130706433", "0x7f000001", "0x7f.1", "0177.0.0.1", "127.0.0.1.", "127.000.000.001", "0X7F.0.0.1", "127.0.1"]) {
      expect(classifyHost(host), host).toBe("loopback");
    }
    expect(classifyHost("0")).toBe("unspecified");
    expect(classifyHost("0xa9fea9fe")).toBe("link-local"); // 169.254.169.254
    expect(classifyHost("3232235777")).toBe("private"); // 192.168.1.1
    expect(classifyHost("4294967295")).toBe("broadcast");
  });

  it("sees IPv4 inside IPv6: mapped, translated, compatible, NAT64 and 6to4", () => {
    expect(classifyHost("::ffff:10.0.0.1")).toBe("private");
    expect(classifyHost("::ffff:169.254.169.254")).toBe("link-local");
    expect(classifyHost("::ffff:0:127.0.0.1")).toBe("loopback");
    expect(classifyHost("::127.0.0.1")).toBe("loopback");
    expect(classifyHost("64:ff9b::a9fe:a9fe")).toBe("link-local");
    expect(classifyHost("2002:7f00:1::")).toBe("loopback");
    expect(classifyHost("2002:0808:0808::1")).toBe("public");
    expect(classifyHost("::ffff:8.8.8.8")).toBe("public");
    expect(classifyHost("ff02::1")).toBe("multicast");
    expect(classifyHost("fec0::1")).toBe("private");
    expect(classifyHost("2001:db8::1")).toBe("reserved");
    expect(classifyHost("0:0:0:0:0:0:0:1")).toBe("loopback");
  });

  it("refuses local names in any case and with a trailing dot", () => {
    for (const host of ["LOCALHOST", "localhost.", "api.localhost", "a.b.localhost", "printer.local", "metadata.google.internal", "nas.home.arpa"]) {
      expect(classifyHost(host), host).toBe("local-name");
    }
    expect(classifyHost("localhost.example.com")).toBe("public");
    expect(classifyHost("notlocalhost")).toBe("public");
  });

  it("lets public addresses and names through, at the edges of each range too", () => {
    for (const host of ["8.8.8.8", "1.1.1.1", "api.example.com", "9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.167.255.255",
      "192.169.0.0", "126.255.255.255", "128.0.0.0", "169.253.255.255", "169.255.0.0", "100.63.255.255", "100.128.0.0", "223.255.255.255",
      "2606:4700::1111", "2a00:1450::1", "fbff:ffff::1", "fe7f::1"]) {
      expect(classifyHost(host), host).toBe("public");
    }
    for (const host of ["10.255.255.255", "172.31.255.255", "192.168.255.255", "127.255.255.255", "100.64.0.0", "100.127.255.255", "239.255.255.255",
      "240.0.0.1", "fdff:ffff::1", "febf::1", "fe80::ffff"]) {
      expect(classifyHost(host), host).not.toBe("public");
    }
  });

  it("treats what is not a host as refused, not public", () => {
    for (const host of ["", "[::1", "1:2:3:4:5:6:7:8:9", "a b", "http://x", "[]"]) expect(classifyHost(host), host).not.toBe("public");
  });

  it("normalises as URL does and parses the normalised forms", () => {
    expect(normalizeHostname("127.1")).toBe("127.0.0.1");
    expect(normalizeHostname("::FFFF:127.0.0.1")).toBe("[::ffff:7f00:1]");
    expect(normalizeHostname("Example.COM:8080")).toBe("example.com");
    expect(parseIpv4("1.2.3.4")).toBe(0x01020304n);
    expect(parseIpv4("1.2.3")).toBeNull();
    expect(parseIpv4("01.2.3.4")).toBeNull();
    expect(parseIpv6("::")).toBe(0n);
    expect(parseIpv6("1::")).toBe(1n << 112n);
    expect(parseIpv6("::1:2")).toBe((1n << 16n) | 2n);
    expect(parseIpv6("1:2:3:4:5:6:7:8")).toBe(0x00010002000300040005000600070008n);
    expect(parseIpv6("1:2:3:4:5:6:7")).toBeNull();
    expect(parseIpv6("1::2::3")).toBeNull();
  });

  it("has well-formed tables whose base addresses are their own first address", () => {
    for (const range of IPV4_RANGES) expect(classifyHost(range.cidr.split("/")[0]), range.cidr).not.toBe("public");
    for (const range of IPV6_RANGES) expect(classifyHost(range.cidr.split("/")[0]), range.cidr).not.toBe("public");
  });
});
