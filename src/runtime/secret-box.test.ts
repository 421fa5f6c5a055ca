// Sealing and opening function secrets: round trip, binding to function and name, a replaced key, unusable keys,
// and fingerprints that change with every set and never carry a value.

import { describe, expect, it } from "vitest";
import { openSecret, openSecrets, sealSecret, secretsFingerprint, secretsKey } from "./secret-box.ts";
import { sandboxIsolateKey } from "./sandbox-isolate.ts";

const KEY_A = btoa(String.fromCharCode(...new Uint8Array(32).fill(1)));
const KEY_B = btoa(String.fromCharCode(...new Uint8Array(32).fill(2)));

describe("secret box", () => {
  it("opens what it sealed, with a fresh IV each time and nothing of the value in the sealed form", async () => {
    const key = await secretsKey(KEY_A);
    const first = await sealSecret(key, "fn", "API_KEY", "hunter2-ü");
    const second = await sealSecret(key, "fn", "API_KEY", "hunter2-ü");
    expect(first.iv).not.toBe(second.iv);
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(JSON.stringify(first)).not.toContain("hunter2");
    expect(await openSecret(key, "fn", first)).toBe("hunter2-ü");
    expect(await openSecrets(key, "fn", [first, { ...second, name: "API_KEY" }])).toEqual({ API_KEY: "hunter2-ü" });
  });

  it("refuses a sealed value moved to another function or name, or opened with another key", async () => {
    const sealed = await sealSecret(await secretsKey(KEY_A), "fn", "API_KEY", "v");
    await expect(openSecret(await secretsKey(KEY_A), "other", sealed)).rejects.toMatchObject({ code: "secret_undecryptable" });
    await expect(openSecret(await secretsKey(KEY_A), "fn", { ...sealed, name: "OTHER" })).rejects.toMatchObject({ code: "secret_undecryptable" });
    await expect(openSecret(await secretsKey(KEY_B), "fn", sealed)).rejects.toMatchObject({
      code: "secret_undecryptable",
      functionName: "fn",
      secret: "API_KEY",
    });
  });

  it("refuses a missing, non-base64 or wrong-length key with secrets_key_missing", async () => {
    for (const bad of [undefined, "", "not base64!", btoa("short")]) {
      await expect(Promise.resolve().then(() => secretsKey(bad))).rejects.toMatchObject({ code: "secrets_key_missing" });
    }
  });

  it("fingerprints ciphertexts: order-independent, new on every set, empty for none", async () => {
    const key = await secretsKey(KEY_A);
    const a = await sealSecret(key, "fn", "A", "1");
    const b = await sealSecret(key, "fn", "B", "2");
    expect(await secretsFingerprint([])).toBe("");
    expect(await secretsFingerprint([a, b])).toBe(await secretsFingerprint([b, a]));
    const resealed = await sealSecret(key, "fn", "A", "1");
    expect(await secretsFingerprint([resealed, b])).not.toBe(await secretsFingerprint([a, b]));
  });

  it("keeps secret values out of the isolate cache key: the fingerprint stands for them", async () => {
    const base = { functionName: "fn", region: "wnam", profile: ["compute"], maxMemoryPages: 1, config: {}, allowedHosts: [] };
    const one = await sandboxIsolateKey("abc", { ...base, secrets: { A: "one" } }, "f1");
    const two = await sandboxIsolateKey("abc", { ...base, secrets: { A: "two" } }, "f1");
    expect(one).toBe(two);
    expect(await sandboxIsolateKey("abc", { ...base, secrets: { A: "one" } }, "f2")).not.toBe(one);
    expect(one).not.toContain("one");
  });
});
