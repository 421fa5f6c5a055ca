// Compiles every AssemblyScript entry under modules/<folder>/ into modules/build/<folder>/<name>.wasm.
//
// An entry is a top-level `<name>.ts` file of the folder, or `<name>/index.ts` for an entry that
// spans several files. A folder's `asconfig.json` (target "release") supplies compiler options;
// folders without one get an optimized, assertion-free build with no host imports.
// Outputs newer than every input they may depend on are skipped, so `npm test` stays fast;
// `--force` rebuilds everything. Any compile error fails the whole build with a non-zero exit.
// modules/scanner is not a guest: it is the toolkit's function scanner compiled to WebAssembly (src/wasm/wasm-scanner.ts),
// which the Worker imports as a module and Node compiles from modules/build/scanner/scanner.wasm.
//
// C entries (`<name>.c` in modules/examples) are WASI commands built with clang and wasi-libc (Debian:
// clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32). Without clang they are skipped with a message, except in
// CI (CI=true), where a missing toolchain fails the build: CI must always build and test them.
// Rust entries (`<name>.rs`, std only, no crates) are WASI commands built with Debian's rustc and its wasm32-wasi
// standard library (rustc libstd-rust-dev-wasm32), under the same rule.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const modulesDir = join(repoRoot, "modules");
const buildDir = join(modulesDir, "build");
const sourceFolders = ["bench", "examples", "scanner"];
// Every entry may import the guest SDK, so a change there makes all outputs stale.
const sharedInputDirs = [join(modulesDir, "sdk")];
const defaultOptions = ["--optimizeLevel", "3", "--shrinkLevel", "0", "--noAssert", "--use", "abort="];

const force = process.argv.includes("--force");
// `--only=<folder>`: just that folder's AssemblyScript entries (wrangler's [build] step builds the scanner alone).
const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);

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

/** Debian's versioned name first, then whatever `clang` is on PATH; null when neither runs. */
function findClang() {
  for (const name of ["clang-14", "clang"]) {
    try {
      execFileSync(name, ["--version"], { stdio: "ignore" });
      return name;
    } catch {
      // not installed under this name
    }
  }
  return null;
}

/**
 * The flags every C guest is built with: wasm32-wasi against the Debian sysroot (headers in
 * /usr/include/wasm32-wasi, libc in /usr/lib/wasm32-wasi), optimized, a 64 KiB stack (wasm-ld's default, stated so
 * a change to it cannot silently push the memory minimum past a function's maxMemoryPages), debug info stripped.
 */
export const C_FLAGS = ["--target=wasm32-wasi", "--sysroot=/usr", "-O2", "-Wall", "-Werror", "-Wl,-z,stack-size=65536", "-Wl,--strip-debug"];

function buildC(folderDir, outDir) {
  const entries = existsSync(folderDir) ? readdirSync(folderDir).filter((file) => file.endsWith(".c")).sort() : [];
  if (entries.length === 0) return { built: 0, upToDate: 0 };
  const clang = findClang();
  if (clang === null) {
    const message = `build-modules: clang not found; skipping the C guests (${entries.join(", ")}). Install: apt-get install -y clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32`;
    if (process.env.CI === "true") throw new Error(message.replace("skipping", "CI must build"));
    console.log(message);
    return { built: 0, upToDate: 0 };
  }
  let built = 0;
  let upToDate = 0;
  for (const file of entries) {
    const source = join(folderDir, file);
    const outFile = join(outDir, `${file.slice(0, -".c".length)}.wasm`);
    if (!force && existsSync(outFile) && statSync(outFile).mtimeMs > Math.max(statSync(source).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs)) {
      upToDate++;
      continue;
    }
    const partial = `${outFile}.partial`;
    try {
      execFileSync(clang, [...C_FLAGS, "-o", partial, source], { stdio: ["ignore", "inherit", "pipe"] });
    } catch (error) {
      throw new Error(`${relative(repoRoot, source)}: ${clang} failed\n${error.stderr?.toString() ?? error.message}`);
    }
    renameSync(partial, outFile);
    console.log(`built ${relative(repoRoot, outFile)} (${clang})`);
    built++;
  }
  return { built, upToDate };
}

/** A rustc that has the wasm32-wasi standard library: Debian's first (rustup's may lack the target); null if none. */
function findRustc() {
  for (const name of ["/usr/bin/rustc", "rustc"]) {
    try {
      const sysroot = execFileSync(name, ["--print", "sysroot"], { encoding: "utf8" }).trim();
      if (existsSync(join(sysroot, "lib", "rustlib", "wasm32-wasi"))) return name;
    } catch {
      // not installed under this name
    }
  }
  return null;
}

/**
 * The flags every Rust guest is built with: optimized, debug info stripped, and a 64 KiB stack. Rust's default stack
 * is 1 MiB (16 pages), which alone fills the default maxMemoryPages.
 */
export const RUST_FLAGS = ["--edition", "2021", "--target", "wasm32-wasi", "-C", "opt-level=2", "-C", "strip=debuginfo", "-C", "link-arg=-zstack-size=65536"];

function buildRust(folderDir, outDir) {
  const entries = existsSync(folderDir) ? readdirSync(folderDir).filter((file) => file.endsWith(".rs")).sort() : [];
  if (entries.length === 0) return { built: 0, upToDate: 0 };
  const rustc = findRustc();
  if (rustc === null) {
    const message = `build-modules: no rustc with the wasm32-wasi target; skipping the Rust guests (${entries.join(", ")}). Install: apt-get install -y rustc libstd-rust-dev-wasm32`;
    if (process.env.CI === "true") throw new Error(message.replace("skipping", "CI must build"));
    console.log(message);
    return { built: 0, upToDate: 0 };
  }
  let built = 0;
  let upToDate = 0;
  for (const file of entries) {
    const source = join(folderDir, file);
    const outFile = join(outDir, `${file.slice(0, -".rs".length)}.wasm`);
    if (!force && existsSync(outFile) && statSync(outFile).mtimeMs > Math.max(statSync(source).mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs, newestMtime(listFilesRecursive(join(modulesDir, "rust-sdk"))))) {
      upToDate++;
      continue;
    }
    const partial = `${outFile}.partial`;
    try {
      // A `#![crate_type = "cdylib"]` library (a version-2 handler on modules/rust-sdk) has no WASI: plain wasm32.
      const library = /^#!\[crate_type\s*=\s*"cdylib"\]/m.test(readFileSync(source, "utf8"));
      const flags = library ? RUST_FLAGS.map((flag) => (flag === "wasm32-wasi" ? "wasm32-unknown-unknown" : flag)) : RUST_FLAGS;
      execFileSync(rustc, [...flags, "-o", partial, source], { stdio: ["ignore", "inherit", "pipe"] });
    } catch (error) {
      throw new Error(`${relative(repoRoot, source)}: ${rustc} failed\n${error.stderr?.toString() ?? error.message}`);
    }
    renameSync(partial, outFile);
    console.log(`built ${relative(repoRoot, outFile)} (${rustc})`);
    built++;
  }
  return { built, upToDate };
}

async function main() {
  const toolInputs = [fileURLToPath(import.meta.url), join(repoRoot, "node_modules", "assemblyscript", "package.json")];
  const sharedInputs = sharedInputDirs.flatMap(listFilesRecursive);
  let built = 0;
  let upToDate = 0;
  for (const folder of sourceFolders) {
    if (only !== undefined && folder !== only) continue;
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
  for (const build of only === undefined ? [buildC, buildRust] : []) {
    const result = build(join(modulesDir, "examples"), join(buildDir, "examples"));
    built += result.built;
    upToDate += result.upToDate;
  }
  console.log(`build-modules: ${built} built, ${upToDate} up to date`);
}

main().catch((error) => {
  console.error(`build-modules failed: ${error.message}`);
  process.exit(1);
});
