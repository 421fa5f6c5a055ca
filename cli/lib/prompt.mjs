// Asking for a secret on a terminal without echoing it.

import { createInterface } from "node:readline";

/** @param {any} input @param {any} output @param {string} question @returns {Promise<string>} */
export function promptHidden(input, output, question) {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: true });
    output.write(question);
    // readline echoes what is typed through _writeToOutput; silence it while the secret is typed.
    /** @type {any} */ (rl)._writeToOutput = () => {};
    rl.question("", (answer) => {
      rl.close();
      output.write("\n");
      resolve(answer);
    });
  });
}
