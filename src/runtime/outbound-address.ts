// Which hosts a guest's HTTP request may never reach, whatever the allow-list says: addresses inside the
// runtime's own network (loopback, private, link-local, unique-local, unspecified, multicast, broadcast and other
// special-purpose ranges, in IPv4, IPv6 and the IPv6 forms that embed an IPv4 address) and names that mean "this
// machine or this site" (localhost, *.localhost, ...). One table of ranges, used twice with the same rules: when a
// deployer lists `allowedHosts`, and by the outbound gateway before every request and every redirect hop.
//
// Hosts are first put in the form WHATWG URL gives them (new URL's host parser, in workerd as in Node), so every
// spelling of an IPv4 address that a fetch would accept — 127.1, 2130706433, 0x7f000001, 0177.0.0.1 — is seen as
// the dotted quad it means, and IPv6 as its compressed lower-case form. Names are checked by spelling only: a
// Worker cannot resolve DNS before it fetches, so a public name that resolves to a private address is outside what
// this check can see (on Cloudflare, Workers' egress cannot reach the operator's private network; locally, see
// docs/limits.md, "Outbound HTTP").

export type AddressClass =
  | "public"
  | "loopback"
  | "private"
  | "link-local"
  | "unique-local"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "local-name";

interface Range {
  /** CIDR: first address and prefix length. */
  cidr: string;
  class: Exclude<AddressClass, "public" | "local-name">;
  /** The range embeds an IPv4 address in its last 32 bits (or bits 16-48 for 6to4): classify that one too. */
  embedsIpv4?: "low32" | "6to4";
  note: string;
}

/** Special-purpose IPv4 ranges (IANA registry, RFC 6890 and successors). Listed most specific first. */
export const IPV4_RANGES: readonly Range[] = [
  { cidr: "255.255.255.255/32", class: "broadcast", note: "limited broadcast" },
  { cidr: "0.0.0.0/8", class: "unspecified", note: "this host on this network (0.0.0.0 reaches the local host)" },
  { cidr: "10.0.0.0/8", class: "private", note: "RFC 1918" },
  { cidr: "100.64.0.0/10", class: "private", note: "shared address space (carrier-grade NAT)" },
  { cidr: "127.0.0.0/8", class: "loopback", note: "loopback" },
  { cidr: "169.254.0.0/16", class: "link-local", note: "link-local (cloud metadata services live at 169.254.169.254)" },
  { cidr: "172.16.0.0/12", class: "private", note: "RFC 1918" },
  { cidr: "192.0.0.0/24", class: "reserved", note: "IETF protocol assignments" },
  { cidr: "192.0.2.0/24", class: "reserved", note: "documentation (TEST-NET-1)" },
  { cidr: "192.88.99.0/24", class: "reserved", note: "6to4 relay anycast (deprecated)" },
  { cidr: "192.168.0.0/16", class: "private", note: "RFC 1918" },
  { cidr: "198.18.0.0/15", class: "private", note: "benchmarking" },
  { cidr: "198.51.100.0/24", class: "reserved", note: "documentation (TEST-NET-2)" },
  { cidr: "203.0.113.0/24", class: "reserved", note: "documentation (TEST-NET-3)" },
  { cidr: "224.0.0.0/4", class: "multicast", note: "multicast" },
  { cidr: "240.0.0.0/4", class: "reserved", note: "reserved for future use" },
];

/** Special-purpose IPv6 ranges. Listed most specific first. */
export const IPV6_RANGES: readonly Range[] = [
  { cidr: "::/128", class: "unspecified", note: "unspecified" },
  { cidr: "::1/128", class: "loopback", note: "loopback" },
  { cidr: "::ffff:0:0/96", class: "reserved", embedsIpv4: "low32", note: "IPv4-mapped: classified as the IPv4 address" },
  { cidr: "::ffff:0:0:0/96", class: "reserved", embedsIpv4: "low32", note: "IPv4-translated (SIIT): classified as the IPv4 address" },
  { cidr: "::/96", class: "reserved", embedsIpv4: "low32", note: "IPv4-compatible (deprecated): classified as the IPv4 address" },
  { cidr: "64:ff9b::/96", class: "reserved", embedsIpv4: "low32", note: "NAT64: classified as the IPv4 address" },
  { cidr: "64:ff9b:1::/48", class: "private", note: "local-use NAT64" },
  { cidr: "100::/64", class: "reserved", note: "discard-only" },
  { cidr: "2001::/32", class: "reserved", note: "Teredo (embeds an obfuscated IPv4 address)" },
  { cidr: "2001:db8::/32", class: "reserved", note: "documentation" },
  { cidr: "2002::/16", class: "reserved", embedsIpv4: "6to4", note: "6to4: classified as the embedded IPv4 address" },
  { cidr: "fc00::/7", class: "unique-local", note: "unique local addresses" },
  { cidr: "fe80::/10", class: "link-local", note: "link-local" },
  { cidr: "fec0::/10", class: "private", note: "site-local (deprecated)" },
  { cidr: "ff00::/8", class: "multicast", note: "multicast" },
  { cidr: "::/8", class: "reserved", note: "reserved by IETF (covers the other low addresses)" },
];

/** Special-use names (RFC 6761, RFC 8375, ICANN's .internal) that mean this machine or a private site. */
export const LOCAL_NAME_SUFFIXES: readonly string[] = ["localhost", "local", "internal", "home.arpa", "localdomain"];

interface ParsedRange {
  base: bigint;
  mask: bigint;
  range: Range;
}

function parseRanges(ranges: readonly Range[], bits: number, parse: (text: string) => bigint | null): ParsedRange[] {
  return ranges.map((range) => {
    const [address, prefix] = range.cidr.split("/");
    const value = parse(address);
    const length = Number(prefix);
    if (value === null || !(length >= 0 && length <= bits)) throw new Error(`bad range ${range.cidr}`);
    const all = (1n << BigInt(bits)) - 1n;
    const mask = length === 0 ? 0n : (all << BigInt(bits - length)) & all;
    return { base: value & mask, mask, range };
  });
}

/** Dotted-quad IPv4 (the only form a normalised host has) as a number, else null. */
export function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

/** IPv6 text as URL.hostname gives it, without brackets (hex words, at most one `::`), as a 128-bit number, else null. */
export function parseIpv6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const words = (part: string) => (part === "" ? [] : part.split(":"));
  const left = words(halves[0]);
  const right = halves.length === 2 ? words(halves[1]) : [];
  if (![...left, ...right].every((w) => /^[0-9a-f]{1,4}$/i.test(w))) return null;
  const explicit = left.length + right.length;
  if (halves.length === 1 ? explicit !== 8 : explicit > 7) return null;
  const all = [...left, ...new Array<string>(8 - explicit).fill("0"), ...right];
  let value = 0n;
  for (const word of all) value = (value << 16n) | BigInt(parseInt(word, 16));
  return value;
}

const V4 = parseRanges(IPV4_RANGES, 32, parseIpv4);
const V6 = parseRanges(IPV6_RANGES, 128, parseIpv6);

function classifyIpv4(value: bigint): AddressClass {
  for (const { base, mask, range } of V4) if ((value & mask) === base) return range.class;
  return "public";
}

function classifyIpv6(value: bigint): AddressClass {
  for (const { base, mask, range } of V6) {
    if ((value & mask) !== base) continue;
    if (range.embedsIpv4 === "low32") return classifyIpv4(value & 0xffffffffn);
    if (range.embedsIpv4 === "6to4") return classifyIpv4((value >> 80n) & 0xffffffffn);
    return range.class;
  }
  return "public";
}

/**
 * The hostname as WHATWG URL normalises it (IPv4 shorthand, decimal, hex and octal become a dotted quad; IPv6
 * gets brackets and its compressed lower-case form; names are lower-cased), or null if it is not a valid host.
 */
export function normalizeHostname(host: string): string | null {
  // Only host syntax: anything a URL would read as path, query, fragment or credentials is not a host.
  if (host === "" || /[/?#@\\\s]/.test(host)) return null;
  // Bare IPv6 (two or more colons) gets its brackets; one colon is host:port, which URL splits off.
  const bare = !host.startsWith("[") && host.split(":").length > 2 ? `[${host}]` : host;
  try {
    const url = new URL(`http://${bare}/`);
    return url.hostname;
  } catch {
    return null;
  }
}

/** What kind of destination a hostname is (any spelling a URL accepts); `public` is the only one always allowed. */
export function classifyHost(host: string): AddressClass {
  const hostname = normalizeHostname(host);
  if (hostname === null) return "reserved";
  if (hostname.startsWith("[")) {
    const value = parseIpv6(hostname.slice(1, -1));
    return value === null ? "reserved" : classifyIpv6(value);
  }
  const v4 = parseIpv4(hostname);
  if (v4 !== null) return classifyIpv4(v4);
  const name = hostname.replace(/\.+$/, "");
  if (name === "") return "reserved";
  if (LOCAL_NAME_SUFFIXES.some((suffix) => name === suffix || name.endsWith(`.${suffix}`))) return "local-name";
  return "public";
}

/** Lower-case hostname without the port or the trailing dot: what "the same host" compares. */
export function hostnameOf(host: string): string {
  return (normalizeHostname(host) ?? host.toLowerCase()).replace(/\.+$/, "");
}
