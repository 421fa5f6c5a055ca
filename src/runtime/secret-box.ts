// Function secrets at rest: AES-256-GCM with a key from the HELIOS_SECRETS_KEY wrangler secret. Sealed in the Worker
// when a secret is set, opened only in the region object that prepares the function's sandbox (the parent side); the
// plain text exists in memory only, never in storage, logs, responses or isolate cache keys.
//
// Each value is sealed with a fresh 96-bit random IV and with "<function>/<secret name>" as additional data, so a
// stored ciphertext moved to another function or name does not open (GCM authenticates the additional data).

import { SecretUndecryptableError, SecretsKeyMissingError } from "./errors.ts";
import { sha256Hex } from "./digest.ts";

/** One secret as stored: base64 IV and ciphertext (with its 16-byte GCM tag). */
export interface SealedSecret {
  name: string;
  iv: string;
  ciphertext: string;
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const encoder = new TextEncoder();

/** Imported keys by their encoded text: importKey runs once per isolate and key, not per secret. */
const imported = new Map<string, Promise<CryptoKey>>();

/** The AES-GCM key from HELIOS_SECRETS_KEY (base64 of 32 random bytes); throws secrets_key_missing if unusable. */
export function secretsKey(encoded: string | undefined): Promise<CryptoKey> {
  const text = encoded?.trim() ?? "";
  let cached = imported.get(text);
  if (cached === undefined) {
    const raw = decodeKey(text);
    cached = crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    imported.clear();
    imported.set(text, cached);
  }
  return cached;
}

function decodeKey(text: string): Uint8Array {
  if (text === "") throw new SecretsKeyMissingError("HELIOS_SECRETS_KEY is not set");
  let raw: Uint8Array;
  try {
    raw = fromBase64(text);
  } catch {
    throw new SecretsKeyMissingError("HELIOS_SECRETS_KEY is not base64");
  }
  if (raw.byteLength !== KEY_BYTES) {
    throw new SecretsKeyMissingError(`HELIOS_SECRETS_KEY must decode to ${KEY_BYTES} bytes, not ${raw.byteLength}`);
  }
  return raw;
}

export async function sealSecret(key: CryptoKey, functionName: string, name: string, value: string): Promise<SealedSecret> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const ciphertext = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: encoder.encode(`${functionName}/${name}`) },
    key,
    encoder.encode(value),
  );
  return { name, iv: toBase64(iv), ciphertext: toBase64(new Uint8Array(ciphertext)) };
}

export async function openSecret(key: CryptoKey, functionName: string, sealed: SealedSecret): Promise<string> {
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(sealed.iv), additionalData: encoder.encode(`${functionName}/${sealed.name}`) },
      key,
      fromBase64(sealed.ciphertext),
    );
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(plain);
  } catch {
    throw new SecretUndecryptableError(functionName, sealed.name);
  }
}

/** Every secret of a function opened, as a null-prototype-free plain record (keys are checked names). */
export async function openSecrets(key: CryptoKey, functionName: string, sealed: readonly SealedSecret[]): Promise<Record<string, string>> {
  const values = await Promise.all(sealed.map((secret) => openSecret(key, functionName, secret)));
  return Object.fromEntries(sealed.map((secret, i) => [secret.name, values[i]]));
}

/**
 * What identifies a set of secrets without revealing it: a digest of the ciphertexts (never of the plain text, which
 * may be guessable, so the isolate cache key tells nothing about a value). Every set of a secret draws a new IV, so
 * a changed value always changes the fingerprint; "" for none.
 */
export async function secretsFingerprint(sealed: readonly SealedSecret[]): Promise<string> {
  if (sealed.length === 0) return "";
  const canonical = [...sealed].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((s) => [s.name, s.iv, s.ciphertext]);
  return sha256Hex(encoder.encode(JSON.stringify(canonical)));
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
