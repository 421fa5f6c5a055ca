// The deploy manifest: loose input (JSON manifest part, query parameters or headers) validated once into
// a strict model. Every limit has a default (DEFAULT_LIMITS) and a hard ceiling (LIMIT_CEILINGS), both in
// docs/limits.md; an error names the offending field.

import { z } from "zod";
import {
  CAPABILITY_PROFILE_NAMES,
  DATABASE_NAME,
  DEFAULT_LIMITS,
  destinationRefusal,
  LIMIT_CEILINGS,
  normalizeHost,
  type FunctionLimits,
  type OutboundPolicy,
  profileUsesDatabase,
} from "../runtime/index.ts";
import { MAX_SECRET_VALUE_CHARS, MAX_SECRETS, SECRET_NAME } from "../services/secret-limits.ts";
import { type FieldIssue, InvalidRequestError } from "./errors.ts";

export const FUNCTION_NAME = /^[a-z0-9-]{1,63}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const CONFIG_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
export const MAX_CONFIG_ENTRIES = 64;
export const MAX_CONFIG_VALUE_CHARS = 4096;
/** `host` or `host:port` (an IPv6 literal in brackets), lower case, as URL.host spells it; the allow-list of
 *  heliosdb_http_fetch. What the host may be is checked after this (allowedHostIssues). */
const ALLOWED_HOST = /^([a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$/;
export const MAX_ALLOWED_HOSTS = 32;
/** A version's tag (like wrangler's `--tag`): a label, part of the version's settings. */
const TAG = /^[A-Za-z0-9._:-]{1,64}$/;

export interface DeployManifest {
  sha256: string;
  regions: string[];
  profile: string[];
  limits: FunctionLimits;
  private: boolean;
  config: Record<string, string>;
  /** Write-only: sealed and stored apart from the version (src/services/secret-service.ts), never echoed. */
  secrets: Record<string, string>;
  allowedHosts: string[];
  /** The database the function reaches; present exactly when the profile includes `database_read` or `database`. */
  database?: string;
  tag?: string;
}

function limit(name: keyof FunctionLimits) {
  return z
    .number({ invalid_type_error: "must be a number" })
    .int("must be an integer")
    .positive("must be positive")
    .max(LIMIT_CEILINGS[name], `must be at most ${LIMIT_CEILINGS[name]} (the hard ceiling)`)
    .default(DEFAULT_LIMITS[name]);
}

function manifestSchema(configuredRegions: string[]) {
  const names = CAPABILITY_PROFILE_NAMES as readonly string[];
  return z
    .object({
      sha256: z
        .string({ required_error: "is required (manifest field or x-helios-sha256 header)" })
        .regex(SHA256_HEX, "must be 64 hex digits")
        .transform((hex) => hex.toLowerCase()),
      regions: z
        .array(
          z.string().refine((r) => configuredRegions.includes(r), (r) => ({
            message: `unknown region ${JSON.stringify(r)}; configured: ${configuredRegions.join(", ")}`,
          })),
        )
        .nonempty("must name at least one region")
        .refine((list) => new Set(list).size === list.length, "must not repeat a region")
        .default([...configuredRegions] as [string, ...string[]]),
      profile: z
        .union([z.string().transform((p) => [p]), z.array(z.string())])
        .pipe(
          z
            .array(
              z.string().refine((p) => names.includes(p), (p) => ({
                message: `unknown capability profile ${JSON.stringify(p)}; known: ${names.join(", ")}`,
              })),
            )
            .nonempty("must name at least one profile"),
        )
        .transform((list) => [...new Set(list)].sort())
        .default(["minimal"]),
      limits: z
        .object({
          fuel: limit("fuel"),
          maxMemoryPages: limit("maxMemoryPages"),
          maxPayloadBytes: limit("maxPayloadBytes"),
          maxResponseBytes: limit("maxResponseBytes"),
        })
        .strict()
        .default({}),
      private: z.boolean({ invalid_type_error: "must be true or false" }).default(false),
      config: z
        .record(
          z.string().regex(CONFIG_KEY, "keys must match [A-Za-z0-9_.-]{1,64}"),
          z.string().max(MAX_CONFIG_VALUE_CHARS, `values must be at most ${MAX_CONFIG_VALUE_CHARS} characters`),
        )
        .refine((map) => Object.keys(map).length <= MAX_CONFIG_ENTRIES, `must have at most ${MAX_CONFIG_ENTRIES} entries`)
        .default({}),
      // Messages never quote a value: a rejected manifest's error must not echo a secret.
      secrets: z
        .record(
          z.string().regex(SECRET_NAME, "names must match [A-Za-z0-9_.-]{1,64}"),
          z.string({ invalid_type_error: "values must be strings" }).max(MAX_SECRET_VALUE_CHARS, `values must be at most ${MAX_SECRET_VALUE_CHARS} characters`),
        )
        .refine((map) => Object.keys(map).length <= MAX_SECRETS, `must have at most ${MAX_SECRETS} entries`)
        .default({}),
      allowedHosts: z
        .array(z.string().regex(ALLOWED_HOST, "must be a lower-case host name, optionally with :port (e.g. api.example.com)"))
        .max(MAX_ALLOWED_HOSTS, `must list at most ${MAX_ALLOWED_HOSTS} hosts`)
        .transform((list) => [...new Set(list)].sort())
        .default([]),
      database: z
        .string({ invalid_type_error: "must be a string" })
        .regex(DATABASE_NAME, "must be 1-63 characters of a-z, 0-9, '_' and '-'")
        .optional(),
      tag: z.string({ invalid_type_error: "must be a string" }).regex(TAG, "must be 1-64 characters of A-Z, a-z, 0-9 and . _ : -").optional(),
    })
    .strict()
    .refine((m) => m.allowedHosts.length === 0 || m.profile.some((p) => p === "network"), {
      message: 'needs the "network" capability in profile',
      path: ["allowedHosts"],
    })
    // A database is reached only through the database profiles, and those reach only the database named here.
    .refine((m) => m.database === undefined || profileUsesDatabase(m.profile), {
      message: 'needs the "database_read" or "database" capability in profile',
      path: ["database"],
    })
    .refine((m) => m.database !== undefined || !profileUsesDatabase(m.profile), {
      message: 'is required: the profile includes "database_read" or "database", so the function must name its database',
      path: ["database"],
    });
}

/** Validates loose input into the strict model, or throws invalid_request naming each bad field. */
export function parseManifest(input: unknown, configuredRegions: string[]): DeployManifest {
  const result = manifestSchema(configuredRegions).safeParse(input);
  if (result.success) return result.data as DeployManifest;
  throw new InvalidRequestError(
    result.error.issues.map((issue) => ({
      field: issue.path.length > 0 ? issue.path.join(".") : "manifest",
      message: issue.code === "unrecognized_keys" ? `unknown field(s): ${issue.keys.join(", ")}` : issue.message,
    })),
  );
}

/**
 * The destination rules on each allow-list entry (the same the outbound gateway applies to every request):
 * no loopback, private, link-local, unique-local, unspecified, multicast, broadcast or reserved address in any
 * spelling, no local name, never the runtime's own host; and an entry must be written as URL.host writes it, since
 * that is what the gateway compares (0x08080808 would never match a request; 8.8.8.8 does).
 */
export function allowedHostIssues(hosts: readonly string[], policy: OutboundPolicy): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const host of hosts) {
    const refused = destinationRefusal(host, policy);
    const normalized = normalizeHost(host);
    if (refused !== null) issues.push({ field: "allowedHosts", message: `refused: ${refused}` });
    else if (normalized !== host) issues.push({ field: "allowedHosts", message: `${host} must be written as ${normalized}` });
  }
  return issues;
}

export function assertAllowedHosts(hosts: readonly string[], policy: OutboundPolicy): void {
  const issues = allowedHostIssues(hosts, policy);
  if (issues.length > 0) throw new InvalidRequestError(issues);
}

export function assertFunctionName(name: string): void {
  if (!FUNCTION_NAME.test(name)) {
    throw InvalidRequestError.of("name", "must be 1-63 characters of a-z, 0-9 and '-'");
  }
}
