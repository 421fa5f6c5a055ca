// Asking before destroying something: --yes skips the question; without a terminal to ask on, --yes is required,
// so a script never deletes by accident nor hangs on a prompt.

import { createInterface } from "node:readline";
import { UsageError } from "./errors.mjs";

/** @param {{ yes?: boolean }} values @param {{ stdin: any, stderr: any }} io @param {string} question @param {string} command */
export async function confirm(values, io, question, command) {
  if (values.yes) return;
  if (!io.stdin.isTTY) throw new UsageError("refusing without --yes (stdin is not a terminal to ask on)", command);
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  const answer = await new Promise((resolve) => rl.question(`${question} [y/N] `, resolve));
  rl.close();
  if (!/^y(es)?$/i.test(String(answer).trim())) throw new UsageError("not confirmed; nothing deleted", command);
}
