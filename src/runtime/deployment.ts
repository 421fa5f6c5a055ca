// Deployments: which version (or versions, with percentages) serves a function, under which aliases, in which
// regions. Versions are immutable; a deployment is the routing snapshot that points at them. Every change of routing
// (a deploy, a rollback, a split, an alias) is a new deployment with a higher sequence number, and a region applies
// deployments in sequence order only: never by version number, so a rollback to v1 is as ordinary as a deploy of v3.
//
// The sequence number is the function's deployment stamp: anything caching a function's routing (a region object
// today, a Worker isolate later) can tell whether its copy is current by comparing one integer.

import type { FunctionVersion } from "./function-version.ts";

/** One version's share of a route, in percent (> 0; the shares of a route add up to 100). */
export interface VersionShare {
  version: number;
  percent: number;
}

/** Shares with percents adding up to 100, largest first: the first is the route's primary version. */
export type Route = VersionShare[];

export interface DeploymentRoutes {
  /** What `name` (no alias, no pin) runs. */
  default: Route;
  /** What `name@alias` runs. */
  aliases: Record<string, Route>;
}

export type DeploymentKind = "deploy" | "rollback" | "split" | "alias" | "delete";

export interface Deployment {
  name: string;
  /** Registry-wide and strictly increasing: the order regions apply deployments in; the function's deployment stamp. */
  seq: number;
  kind: DeploymentKind;
  /** Regions that serve the function under this deployment (none once it is deleted). */
  regions: string[];
  /** Null for the deployment that deleted the function. */
  routes: DeploymentRoutes | null;
  createdAt: string;
}

/** What a region receives: a deployment with the record of every version it routes to. */
export interface DeploymentBundle {
  deployment: Deployment;
  versions: FunctionVersion[];
}

/** How an invocation names what it wants: the default route, an alias's route, or one pinned version. */
export interface RouteSelector {
  alias?: string;
  version?: number;
}

/** Aliases: a letter first, so `name@3` can never be read as a version. */
export const ALIAS_NAME = /^[a-z][a-z0-9-]{0,62}$/;
/** Most versions one route may split between. */
export const MAX_ROUTE_SHARES = 10;
/** Most aliases per function. */
export const MAX_ALIASES = 32;

/** A whole route to one version. */
export function singleRoute(version: number): Route {
  return [{ version, percent: 100 }];
}

/** Largest share first (ties: the newer version first), so the primary version is route[0]. */
export function orderRoute(route: Route): Route {
  return [...route].sort((a, b) => b.percent - a.percent || b.version - a.version);
}

/** Why a route is unusable, or null: at least one share, no version twice, percents > 0 adding up to 100. */
export function routeProblem(route: Route): string | null {
  if (route.length === 0) return "must name at least one version";
  if (route.length > MAX_ROUTE_SHARES) return `must split between at most ${MAX_ROUTE_SHARES} versions`;
  if (new Set(route.map((s) => s.version)).size !== route.length) return "must not name a version twice";
  if (route.some((s) => !(s.percent > 0) || s.percent > 100)) return "percentages must be above 0 and at most 100";
  const total = route.reduce((sum, s) => sum + s.percent, 0);
  if (Math.abs(total - 100) > 1e-9) return `percentages must add up to 100 (they add up to ${total})`;
  return null;
}

/** Every version a deployment routes to, each once. */
export function routedVersions(routes: DeploymentRoutes | null): number[] {
  if (routes === null) return [];
  const all = [routes.default, ...Object.values(routes.aliases)].flat().map((s) => s.version);
  return [...new Set(all)];
}

export function sameRoute(a: Route, b: Route): boolean {
  const key = (route: Route) => JSON.stringify(orderRoute(route).map((s) => [s.version, s.percent]));
  return key(a) === key(b);
}

/**
 * The version a point in [0, 1) falls on: shares laid end to end in route order. The same point always picks the
 * same version, so an invocation that is retried (or repaired and rerun) runs the version it was first given.
 */
export function pickVersion(route: Route, point: number): number {
  let edge = 0;
  for (const share of route) {
    edge += share.percent / 100;
    if (point < edge) return share.version;
  }
  return route[route.length - 1].version;
}

/**
 * Where an invocation falls on a split: from the caller's routing key (FNV-1a, so one key always gets the same
 * version of a given split: sticky canaries), else uniformly at random.
 */
export function splitPoint(routingKey: string | undefined, random: () => number = Math.random): number {
  if (routingKey === undefined || routingKey === "") return random();
  let hash = 0x811c9dc5;
  for (let i = 0; i < routingKey.length; i++) {
    hash ^= routingKey.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  // One more avalanche round: FNV's low bits mix poorly for short keys that differ only at the end.
  hash ^= hash >>> 15;
  hash = Math.imul(hash, 0x2c1b3c6d);
  hash ^= hash >>> 12;
  return (hash >>> 0) / 2 ** 32;
}

/** The route a selector names (not a pin): the alias's, or the default. Undefined for an unknown alias. */
export function selectRoute(routes: DeploymentRoutes, alias: string | undefined): Route | undefined {
  return alias === undefined ? routes.default : routes.aliases[alias];
}
