// helios login: checks a URL and token against the server and saves them for later commands.

import { normalizeUrl, readConfig, writeConfig } from "../lib/config.mjs";
import { UsageError } from "../lib/errors.mjs";
import { HeliosClient } from "../lib/http-client.mjs";
import { facts } from "../lib/output.mjs";
import { promptHidden } from "../lib/prompt.mjs";
import { readBytes } from "../lib/stdin.mjs";

/** @type {import("../lib/args.mjs").CommandSpec} */
export const login = {
  name: "login",
  summary: "save the server URL and token (checked against the server) for later commands",
  description:
    "The token comes from --token, --token-stdin, HELIOS_TOKEN, or a prompt on a terminal. It is checked with an\n" +
    "authenticated request before anything is saved. The file is $XDG_CONFIG_HOME/helios/config.json\n" +
    "(~/.config/helios/config.json; HELIOS_CONFIG names another), mode 0600. HELIOS_URL and HELIOS_TOKEN, when\n" +
    "set, win over the saved login.",
  options: {
    "token-stdin": { type: "boolean", description: "read the token from stdin (keeps it out of shell history)" },
    "no-check": { type: "boolean", description: "save without checking the token against the server" },
  },
  examples: ["helios login --url http://127.0.0.1:8787 --token-stdin < token.txt", "helios login --url https://helios.example.com"],
  async run({ values, out, io, configPath: path }) {
    const saved = readConfig(path);
    const url = normalizeUrl(values.url ?? io.env.HELIOS_URL ?? saved.url ?? "http://127.0.0.1:8787");
    let token = values.token ?? (values["token-stdin"] ? (await readBytes(io.stdin)).toString("utf8") : io.env.HELIOS_TOKEN);
    if (token === undefined) {
      if (!io.stdin.isTTY) throw new UsageError("no token: pass --token, --token-stdin or set HELIOS_TOKEN", "login");
      token = await promptHidden(io.stdin, io.stderr, `token for ${url}: `);
    }
    token = token.trim();
    if (token === "") throw new UsageError("the token is empty", "login");

    if (!values["no-check"]) {
      // Any authenticated read proves the token: a wrong one is refused with 401 (exit code 4), nothing saved.
      await new HeliosClient({ url, token, timeoutSeconds: values.timeout }).json("GET", "/v1/functions");
    }
    writeConfig(path, { url, token });
    const overridden = ["HELIOS_URL", "HELIOS_TOKEN"].filter((name) => io.env[name]);
    if (overridden.length > 0) out.note(`note: ${overridden.join(" and ")} set in the environment win over the saved login`);
    out.result({ url, configPath: path, checked: !values["no-check"] }, () =>
      facts([
        ["logged in to", url],
        ["saved in", path],
      ]),
    );
  },
};

/** @type {import("../lib/args.mjs").CommandSpec} */
export const logout = {
  name: "logout",
  summary: "forget the saved URL and token",
  async run({ out, configPath: path }) {
    const had = Object.keys(readConfig(path)).length > 0;
    if (had) writeConfig(path, {});
    out.result({ configPath: path, removed: had }, () => (had ? `removed the saved login from ${path}` : "no saved login"));
  },
};
