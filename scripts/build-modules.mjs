// Compiles every AssemblyScript entry under modules/<folder>/ into modules/build/<folder>/<name>.wasm.
//
// An entry is a top-level `<name>.ts` file of the folder, or `<name>/index.ts` for an entry that
// spans several files. A folder's `asconfig.json` (target "release") supplies compiler options;
// folders without one get an optimized, assertion-free build with no host imports.
// Outputs newer than every input they may depend on are skipped, so `npm test` stays fast;
// `--force` rebuilds everything. Any compile error fails the whole build with a non-zero exit.

import { existsSync, mkdirSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modulesDir = join(repoRoot, "modules");
const buildDir = join(modulesDir, "build");
const sourceFolders = ["bench", "examples"];
// Every entry may import the guest SDK, so a change there makes all outputs stale.
const sharedInputDirs = [join(modulesDir, "sdk")];
const defaultOptions = ["--optimizeLevel", "3", "--shrinkLevel", "0", "--noAssert", "--use", "abort="];

const force = process.argv.includes("--force");

function listFilesRecursive(dir) {
  if (!existsSync(dir)) return [];
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listFilesRecursive(path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

function findEntries(folderDir) {
  const entries = [];
  for (const entry of readdirSync(folderDir, { withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
      entries.push({ name: entry.name.slice(0, -".ts".length), source: join(folderDir, entry.name) });
    } else if (entry.isDirectory() && existsSync(join(folderDir, entry.name, "index.ts"))) {
      entries.push({ name: entry.name, source: join(folderDir, entry.name, "index.ts") });
    }
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
}

function newestMtime(paths) {
  let newest = 0;
  for (const path of paths) newest = Math.max(newest, statSync(path).mtimeMs);
  return newest;
}

// Loading the compiler takes about half a second, so it is imported only when something is stale.
let compiler;
async function loadCompiler() {
  compiler ??= (await import("assemblyscript/asc")).default;
  return compiler;
}

async function compile(entry, folderDir, outFile) {
  const asc = await loadCompiler();
  const configFile = join(folderDir, "asconfig.json");
  const options = existsSync(configFile) ? ["--config", configFile, "--target", "release"] : defaultOptions;
  const emitted = new Map();
  const stderr = asc.createMemoryStream();
  const result = await asc.main([entry.source, "--outFile", outFile, "--noColors", ...options], {
    stdout: asc.createMemoryStream(),
    stderr,
    writeFile: (filename, contents, baseDir) => {
      emitted.set(resolve(baseDir, filename), contents);
    },
  });
  const binary = emitted.get(resolve(outFile));
  if (result.error || !(binary instanceof Uint8Array)) {
    const reason = result.error ? result.error.message : "the compiler emitted no binary";
    throw new Error(`${relative(repoRoot, entry.source)}: ${reason}\n${stderr.toString()}`);
  }
  if (!WebAssembly.validate(binary)) {
    throw new Error(`${relative(repoRoot, entry.source)}: the compiler emitted an invalid module`);
  }
  // Written under a temporary name and renamed so an interrupted build never leaves a fresh-looking output.
  const partial = `${outFile}.partial`;
  writeFileSync(partial, binary);
  renameSync(partial, outFile);
}

async function main() {
  const toolInputs = [fileURLToPath(import.meta.url), join(repoRoot, "node_modules", "assemblyscript", "package.json")];
  const sharedInputs = sharedInputDirs.flatMap(listFilesRecursive);
  let built = 0;
  let upToDate = 0;
  for (const folder of sourceFolders) {
    const folderDir = join(modulesDir, folder);
    if (!existsSync(folderDir)) continue;
    const entries = findEntries(folderDir);
    if (entries.length === 0) continue;
    const outDir = join(buildDir, folder);
    mkdirSync(outDir, { recursive: true });
    const newestInput = newestMtime([...toolInputs, ...sharedInputs, ...listFilesRecursive(folderDir)]);
    for (const entry of entries) {
      const outFile = join(outDir, `${entry.name}.wasm`);
      if (!force && existsSync(outFile) && statSync(outFile).mtimeMs > newestInput) {
        upToDate++;
        continue;
      }
      await compile(entry, folderDir, outFile);
      console.log(`built ${relative(repoRoot, outFile)}`);
      built++;
    }
  }
  console.log(`build-modules: ${built} built, ${upToDate} up to date`);
}

main().catch((error) => {
  console.error(`build-modules failed: ${error.message}`);
  process.exit(1);
});
