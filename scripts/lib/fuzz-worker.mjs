// A module-fuzz worker thread (scripts/fuzz.mjs starts them): runs cases index = first, first + stride, ... of one
// run, writes the index it is on into shared memory before each case (so the parent can name a hanging case), and
// reports progress and failures.

import { parentPort, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";

const { bundle, repoRoot, runSeed, first, stride, limit, deadline, slot, current } = workerData;
const { loadCorpus, runCase } = await import(pathToFileURL(bundle).href);
const corpus = await loadCorpus(repoRoot);
const position = new Int32Array(current);
const tally = { cases: 0, refused: 0, deployed: 0, v8Valid: 0 };

parentPort.postMessage({ type: "ready", corpus: corpus.length });
let lastReport = Date.now();
for (let index = first; index < limit && Date.now() < deadline; index += stride) {
  Atomics.store(position, slot, index);
  const result = runCase(corpus, runSeed, index);
  tally.cases++;
  tally[result.outcome]++;
  if (result.v8Valid) tally.v8Valid++;
  if (result.problem !== null) parentPort.postMessage({ type: "failure", index, result });
  if (Date.now() - lastReport > 250) {
    parentPort.postMessage({ type: "progress", tally: { ...tally } });
    lastReport = Date.now();
  }
}
parentPort.postMessage({ type: "done", tally });
