// Every command, in the order `helios --help` lists them.

import { deploy } from "./deploy.mjs";
import { deleteFunction } from "./delete.mjs";
import { list, show } from "./functions.mjs";
import { invoke } from "./invoke.mjs";
import { login, logout } from "./login.mjs";
import { regions } from "./regions.mjs";

/** @type {import("../lib/args.mjs").CommandSpec[]} */
export const COMMANDS = [login, logout, deploy, invoke, list, show, deleteFunction, regions];
