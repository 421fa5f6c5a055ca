// Scoped API tokens: created (the token shown once), listed and revoked by the admin; verified on each request that
// presents one. A token is `hlt_` + 43 base64url characters (256 random bits), so SHA-256 of it is a safe stored
// form (nothing to brute-force) and the lookup key.
//
// Verification results are cached in this isolate for TOKEN_CACHE_TTL_MS, so a busy token does not send every request
// through the one registry object. The price is the revocation delay: another isolate may still accept a revoked
// token for up to that long (the isolate that served the DELETE forgets it at once). Documented in docs/limits.md.

import type { Env } from "../env.ts";
import { registryStub, type TokenInfo, type TokenScope } from "../registry/index.ts";
import { sha256Hex } from "../runtime/index.ts";
import { TooManyTokensError, UnknownTokenError } from "./errors.ts";

export const TOKEN_PREFIX = "hlt_";
/** The only shape a scoped token has; anything else is refused without a registry lookup. */
export const TOKEN_SHAPE = /^hlt_[A-Za-z0-9_-]{43}$/;
export const TOKEN_ID = /^tok_[0-9a-f]{16}$/;
export const TOKEN_SCOPES: readonly TokenScope[] = ["deploy", "read", "invoke"];
export const MAX_TOKENS = 100;
export const TOKEN_CACHE_TTL_MS = 30_000;
export const TOKEN_CACHE_ENTRIES = 1_024;

export interface TokenSpec {
  name: string;
  scope: TokenScope;
  prefix: string;
}

export interface CreatedToken {
  /** The token itself: returned once, never stored. */
  token: string;
  info: TokenInfo;
}

export async function createToken(env: Env, spec: TokenSpec): Promise<CreatedToken> {
  const token = TOKEN_PREFIX + base64url(crypto.getRandomValues(new Uint8Array(32)));
  const id = `tok_${hex(crypto.getRandomValues(new Uint8Array(8)))}`;
  const info: TokenInfo = { id, ...spec, createdAt: new Date().toISOString() };
  const stored = await registryStub(env).createToken({ ...info, hash: await sha256Hex(new TextEncoder().encode(token)) }, MAX_TOKENS);
  if (!stored) throw new TooManyTokensError(MAX_TOKENS);
  return { token, info };
}

export function listTokens(env: Env): Promise<TokenInfo[]> {
  return registryStub(env).listTokens();
}

export async function revokeToken(env: Env, id: string): Promise<void> {
  if (!(await registryStub(env).revokeToken(id))) throw new UnknownTokenError(id);
  for (const [hash, entry] of verified) if (entry.info?.id === id) verified.delete(hash);
}

interface CacheEntry {
  info: TokenInfo | null;
  expiresAt: number;
}

/** Token hash -> what the registry said, for TOKEN_CACHE_TTL_MS; unknown tokens are remembered too, so a flood of
 *  made-up tokens of the right shape costs one registry lookup each per TTL at most. */
const verified = new Map<string, CacheEntry>();

/** The scoped token's record, or null when it is not one the registry holds (never issued, or revoked). */
export async function verifyScopedToken(env: Env, token: string): Promise<TokenInfo | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const hash = await sha256Hex(new TextEncoder().encode(token));
  const now = Date.now();
  const cached = verified.get(hash);
  if (cached !== undefined && cached.expiresAt > now) return cached.info;
  const info = await registryStub(env).findToken(hash);
  verified.delete(hash);
  if (verified.size >= TOKEN_CACHE_ENTRIES) verified.delete(verified.keys().next().value!);
  verified.set(hash, { info, expiresAt: now + TOKEN_CACHE_TTL_MS });
  return info;
}

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function hex(bytes: Uint8Array): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}
