// The destination rules of outbound HTTP, beyond the function's allow-list: no address inside the runtime's own
// network (outbound-address.ts) unless the operator has exempted that exact host, and never the runtime itself.
// The same rules run at deploy (on every `allowedHosts` entry) and in the outbound gateway (on every request and
// every redirect hop), so a host that passed the deploy check is still refused if the operator's settings change.
//
// Operator settings (wrangler vars or secrets, `.dev.vars` or the environment of `npm start`; never a deploy
// field, so a deployer cannot grant them; documented in docs/limits.md):
//   HELIOS_OUTBOUND_ALLOW_PRIVATE  comma-separated `host` or `host:port` (as URL.host spells them) that deployers
//                                  may list although they are private, e.g. "localhost:3000" for a local API.
//   HELIOS_SELF_HOSTS              comma-separated hostnames the runtime is also served under (custom domains);
//                                  the host of the deploy request itself is always counted.

import { type AddressClass, classifyHost, hostnameOf, normalizeHostname } from "./outbound-address.ts";

/** Header the gateway puts on every outbound request; the API refuses any request carrying it (loop_detected),
 *  so a function cannot reach the runtime through any name or alias and start a fresh chain there. */
export const OUTBOUND_MARKER_HEADER = "x-helios-outbound";

export interface OutboundSettings {
  HELIOS_OUTBOUND_ALLOW_PRIVATE?: string;
  HELIOS_SELF_HOSTS?: string;
}

export interface OutboundPolicy {
  /** URL.host values the operator lets through although they are not public. */
  privateExceptions: ReadonlySet<string>;
  /** Hostnames (no port) of the runtime itself. */
  selfHostnames: ReadonlySet<string>;
}

function list(value: string | undefined): string[] {
  return (value ?? "").split(",").map((item) => item.trim()).filter((item) => item !== "");
}

/** URL.host of `host[:port]`, or null when it is not a host a URL accepts. */
export function normalizeHost(host: string): string | null {
  if (normalizeHostname(host) === null) return null;
  try {
    const bare = !host.startsWith("[") && host.split(":").length > 2 ? `[${host}]` : host;
    return new URL(`http://${bare}/`).host;
  } catch {
    return null;
  }
}

export function outboundPolicy(settings: OutboundSettings, selfHosts: readonly string[] = []): OutboundPolicy {
  const exceptions = list(settings.HELIOS_OUTBOUND_ALLOW_PRIVATE).map((h) => normalizeHost(h)).filter((h): h is string => h !== null);
  const self = [...list(settings.HELIOS_SELF_HOSTS), ...selfHosts].map(hostnameOf);
  return { privateExceptions: new Set(exceptions), selfHostnames: new Set(self) };
}

const CLASS_WORDS: Record<Exclude<AddressClass, "public">, string> = {
  loopback: "a loopback address",
  private: "a private address",
  "link-local": "a link-local address",
  "unique-local": "a unique-local address",
  unspecified: "the unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  reserved: "a reserved address",
  "local-name": "a local name",
};

/** Why `host` (URL.host: hostname and optional port, any spelling a URL accepts) may not be reached, or null. */
export function destinationRefusal(host: string, policy: OutboundPolicy): string | null {
  const normalized = normalizeHost(host);
  if (normalized === null) return `${host} is not a valid host`;
  if (policy.selfHostnames.has(hostnameOf(normalized))) return `${normalized} is the runtime's own host`;
  const kind = classifyHost(normalized);
  if (kind === "public" || policy.privateExceptions.has(normalized)) return null;
  return `${normalized} is ${CLASS_WORDS[kind]} (only an operator can allow it, with HELIOS_OUTBOUND_ALLOW_PRIVATE)`;
}
