// The dashboard's views are addressed by the URL fragment (#/functions/hello), so the server needs no SPA fallback
// and every view has a link that survives a reload. Names in the fragment are URI-encoded.

import { useEffect, useState } from "preact/hooks";

export type Route =
  | { view: "functions" }
  | { view: "function"; name: string; tab: string }
  | { view: "regions" }
  | { view: "databases"; region?: string; db?: string }
  | { view: "deploy" }
  | { view: "subscriptions"; region?: string; db?: string; name?: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").filter((p) => p !== "").map(decodeURIComponent);
  switch (parts[0]) {
    case "functions":
      return parts[1] === undefined ? { view: "functions" } : { view: "function", name: parts[1], tab: parts[2] ?? "overview" };
    case "regions":
      return { view: "regions" };
    case "databases":
      return { view: "databases", ...(parts[1] ? { region: parts[1] } : {}), ...(parts[2] ? { db: parts[2] } : {}) };
    case "deploy":
      return { view: "deploy" };
    case "subscriptions":
      return { view: "subscriptions", ...(parts[1] ? { region: parts[1] } : {}), ...(parts[2] ? { db: parts[2] } : {}), ...(parts[3] ? { name: parts[3] } : {}) };
    default:
      return { view: "functions" };
  }
}

export function href(...parts: string[]): string {
  return `#/${parts.map(encodeURIComponent).join("/")}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
