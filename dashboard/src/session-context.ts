// The signed-in session every view reads: the typed client (with the bearer token) and sign-out.

import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { HeliosClient } from "./api.ts";

export interface Session {
  api: HeliosClient;
  signOut(): void;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (session === null) throw new Error("useSession outside a signed-in view");
  return session;
}
