// Every command, in the order `helios --help` lists them.

import { dbCreate, dbDelete, dbDescribe, dbList } from "./db.mjs";
import { rowsDelete, rowsGet, rowsInsert, rowsList, rowsUpdate } from "./db-rows.mjs";
import { dbSql } from "./db-sql.mjs";
import { triggersDelete, triggersGet, triggersList, triggersSet } from "./db-triggers.mjs";
import { aliasDelete, aliasList, aliasSet } from "./alias.mjs";
import { deploy } from "./deploy.mjs";
import { deleteFunction } from "./delete.mjs";
import { list, show } from "./functions.mjs";
import { invoke } from "./invoke.mjs";
import { login, logout } from "./login.mjs";
import { logs } from "./logs.mjs";
import { metrics } from "./metrics.mjs";
import { regions } from "./regions.mjs";
import { secretsDelete, secretsList, secretsSet } from "./secrets.mjs";
import { tokensCreate, tokensList, tokensRevoke } from "./tokens.mjs";
import { deployments, rollback, route, versions } from "./versions.mjs";

/** @type {import("../lib/args.mjs").CommandSpec[]} */
export const COMMANDS = [
  login, logout,
  deploy, invoke, list, show, deleteFunction, regions, logs, metrics,
  versions, rollback, deployments, route, aliasList, aliasSet, aliasDelete,
  secretsList, secretsSet, secretsDelete,
  dbCreate, dbList, dbDescribe, dbDelete, dbSql,
  rowsList, rowsGet, rowsInsert, rowsUpdate, rowsDelete,
  triggersList, triggersGet, triggersSet, triggersDelete,
  tokensCreate, tokensList, tokensRevoke,
];
