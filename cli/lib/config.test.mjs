import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { configPath, DEFAULT_URL, normalizeUrl, readConfig, resolveTarget, writeConfig } from "./config.mjs";
import { UsageError } from "./errors.mjs";

const dirs = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "helios-cli-config-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("configPath", () => {
  it("prefers HELIOS_CONFIG, then XDG_CONFIG_HOME, then ~/.config", () => {
    expect(configPath({ HELIOS_CONFIG: "/x/c.json", XDG_CONFIG_HOME: "/xdg", HOME: "/h" })).toBe("/x/c.json");
    expect(configPath({ XDG_CONFIG_HOME: "/xdg", HOME: "/h" })).toBe("/xdg/helios/config.json");
    expect(configPath({ HOME: "/h" })).toBe("/h/.config/helios/config.json");
  });
});

describe("writeConfig / readConfig", () => {
  it("writes the token file 0600 in a 0700 directory, whatever the umask, and reads it back", () => {
    const path = join(tempDir(), "nested", "helios", "config.json");
    const previous = process.umask(0o000);
    try {
      writeConfig(path, { url: "http://a:1", token: "secret" });
    } finally {
      process.umask(previous);
    }
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(path, "..")).mode & 0o777).toBe(0o700);
    expect(readConfig(path)).toEqual({ url: "http://a:1", token: "secret" });
  });

  it("answers {} when there is no file, and a usage error naming the file when it is broken", () => {
    const dir = tempDir();
    expect(readConfig(join(dir, "missing.json"))).toEqual({});
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ nope");
    expect(() => readConfig(broken)).toThrow(UsageError);
    expect(() => readConfig(broken)).toThrow(broken);
    writeFileSync(broken, JSON.stringify({ token: 42 }));
    expect(() => readConfig(broken)).toThrow(/"token" must be a string/);
  });

  it("replaces the file whole (no temporary file left behind)", () => {
    const dir = tempDir();
    const path = join(dir, "config.json");
    writeConfig(path, { url: "http://a:1", token: "one" });
    writeConfig(path, { url: "http://b:2", token: "two" });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ url: "http://b:2", token: "two" });
  });
});

describe("resolveTarget", () => {
  const saved = { url: "http://saved:1", token: "saved-token" };
  it("takes flags over the environment over the saved login over the default", () => {
    expect(resolveTarget({ url: "http://flag:1", token: "f" }, { HELIOS_URL: "http://env:1", HELIOS_TOKEN: "e" }, saved)).toMatchObject({
      url: "http://flag:1", urlSource: "flag", token: "f", tokenSource: "flag",
    });
    expect(resolveTarget({}, { HELIOS_URL: "http://env:1", HELIOS_TOKEN: "e" }, saved)).toMatchObject({
      url: "http://env:1", urlSource: "env", token: "e", tokenSource: "env",
    });
    expect(resolveTarget({}, {}, saved)).toMatchObject({ url: "http://saved:1", urlSource: "config", token: "saved-token" });
    expect(resolveTarget({}, {}, {})).toMatchObject({ url: DEFAULT_URL, urlSource: "default", token: undefined, tokenSource: "none" });
  });
});

describe("normalizeUrl", () => {
  it("drops trailing slashes and refuses non-http URLs, queries and junk", () => {
    expect(normalizeUrl("http://127.0.0.1:8787/")).toBe("http://127.0.0.1:8787");
    expect(normalizeUrl("https://edge.example.com/base/")).toBe("https://edge.example.com/base");
    expect(() => normalizeUrl("ftp://x")).toThrow(/http or https/);
    expect(() => normalizeUrl("http://x/?a=1")).toThrow(/query/);
    expect(() => normalizeUrl("not a url")).toThrow(/not a URL/);
  });
});
