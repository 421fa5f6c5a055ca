// `helios deploy --secrets-file`: secrets kept out of helios.json (which is committed), in a dotenv file
// (KEY=VALUE lines, # comments, optional single or double quotes) or a JSON object of strings.

import { readFileSync } from "node:fs";
import { UsageError } from "./errors.mjs";

/** @param {string} path @returns {Record<string, string>} */
export function readSecretsFile(path) {
  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read the secrets file ${path}: ${/** @type {Error} */ (error).message}`, "deploy");
  }
  return parseSecrets(text, path);
}

/** @param {string} text @param {string} where @returns {Record<string, string>} */
export function parseSecrets(text, where) {
  if (text.trimStart().startsWith("{")) {
    let parsed;
    try {
      parsed = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the input, which holds secrets: say only where.
      throw new UsageError(`${where} is not valid JSON`, "deploy");
    }
    const bad = Object.entries(parsed).filter(([, v]) => typeof v !== "string").map(([k]) => k);
    if (bad.length > 0) throw new UsageError(`${where}: values must be strings (${bad.join(", ")})`, "deploy");
    return parsed;
  }
  /** @type {Record<string, string>} */
  const secrets = {};
  text.split(/\r?\n/).forEach((line, index) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const match = /^(?:export\s+)?([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(trimmed);
    if (!match) throw new UsageError(`${where}:${index + 1}: expected NAME=value`, "deploy");
    let value = match[2];
    const quoted = /^(["'])(.*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, "\n").replace(/\\(["\\])/g, "$1") : quoted[2];
    secrets[match[1]] = value;
  });
  return secrets;
}

/** The manifest with secret values replaced by "(set)", for printing. @param {Record<string, any>} manifest */
export function withoutSecretValues(manifest) {
  if (!manifest.secrets || typeof manifest.secrets !== "object") return manifest;
  return { ...manifest, secrets: Object.fromEntries(Object.keys(manifest.secrets).map((k) => [k, "(set)"])) };
}
