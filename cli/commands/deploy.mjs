// helios deploy: uploads a built module with the settings in its helios.json (builds nothing).

import { basename } from "node:path";
import { listOption } from "../lib/args.mjs";
import { loadDeployment } from "../lib/manifest.mjs";
import { seg } from "../lib/http-client.mjs";
import { facts } from "../lib/output.mjs";
import { readSecretsFile, withoutSecretValues } from "../lib/secrets-file.mjs";
import { countingStream, formatBytes, multipartBody, progressReporter } from "../lib/upload.mjs";

/** Uploads from this size show progress even when stderr is not a terminal. */
export const PROGRESS_MIN_BYTES = 1024 * 1024;

/** @type {import("../lib/args.mjs").CommandSpec} */
export const deploy = {
  name: "deploy",
  summary: "deploy a built .wasm module with the settings in its helios.json",
  description:
    "<path> is a directory holding helios.json (default: the current one), a helios.json, or a .wasm file (its\n" +
    "helios.json beside it is used if there is one). helios.json holds \"name\", \"module\" (the .wasm path,\n" +
    "relative to helios.json) and the deploy API's manifest fields: regions, profile, limits, private, config,\n" +
    "allowedHosts. The sha256 is computed and sent with the module; the server checks everything else.",
  positionals: [{ name: "path", description: "helios.json, its directory, or the .wasm module (default: .)" }],
  options: {
    name: { type: "string", value: "name", description: "function name (overrides helios.json's \"name\")" },
    region: { type: "string", short: "r", multiple: true, value: "region", description: "deploy to these regions only (comma-separated or repeated; overrides \"regions\")" },
    "secrets-file": { type: "string", value: "path", description: "secrets to set, from a dotenv (NAME=value) or JSON file kept out of helios.json" },
    "dry-run": { type: "boolean", description: "print what would be sent, send nothing" },
    progress: { type: "boolean", description: "always show upload progress (default: on a terminal, or from 1 MiB)" },
    quiet: { type: "boolean", short: "q", description: "no upload progress" },
  },
  examples: ["helios deploy", "helios deploy modules/build/examples/hello.wasm --name hello", "helios deploy ./my-fn --region wnam,weur"],
  async run({ values, args, out, client, io }) {
    const deployment = loadDeployment({ target: args.path, cwd: io.cwd, name: values.name, regions: listOption(values.region) });
    const { name, bytes, sha256, settings, modulePath, manifestPath } = deployment;
    /** @type {Record<string, unknown>} */
    const manifest = { ...settings, sha256 };
    if (values["secrets-file"] !== undefined) {
      manifest.secrets = { .../** @type {object} */ (settings.secrets ?? {}), ...readSecretsFile(values["secrets-file"]) };
    }

    if (values["dry-run"]) {
      const shown = withoutSecretValues(manifest);
      out.result({ dryRun: true, name, module: modulePath, manifestFile: manifestPath, bytes: bytes.length, manifest: shown }, () =>
        facts([
          ["would deploy", name],
          ["module", `${modulePath} (${formatBytes(bytes.length)})`],
          ["sha256", sha256],
          ["manifest", JSON.stringify(shown)],
        ]),
      );
      return;
    }

    const { body, contentType } = multipartBody(manifest, bytes, basename(modulePath));
    const showProgress = !values.quiet && !values.json && (values.progress || io.stderr.isTTY || bytes.length >= PROGRESS_MIN_BYTES);
    const report = showProgress ? progressReporter(io.stderr, `uploading ${name}`) : () => {};
    const answer = await client.json("PUT", `/v1/functions/${seg(name)}`, {
      body: countingStream(body, report),
      headers: { "content-type": contentType },
    });
    const fn = answer.function;
    out.result(answer, () => {
      // created: false means identical bytes and settings were deployed before: no version was minted.
      const unchanged = answer.created === false;
      const what = unchanged ? `unchanged: ${fn.name} v${fn.version} already has these bytes and settings` : `deployed ${fn.name} v${fn.version}`;
      return `${what} (sha256 ${fn.sha256.slice(0, 12)}…, ${formatBytes(bytes.length)}) in ${fn.regions.join(", ")}`;
    });
  },
};
