// The shell: signed out, only the sign-in; signed in, the navigation and the view the URL fragment names.

import { useMemo, useState } from "preact/hooks";
import { apiClient } from "./api.ts";
import { type Route, href, useRoute } from "./route.ts";
import { forgetToken, storedToken, storeToken } from "./session.ts";
import { type Session, SessionContext } from "./session-context.ts";
import { Databases } from "./views/databases.tsx";
import { Deploy } from "./views/deploy.tsx";
import { FunctionPage } from "./views/function-page.tsx";
import { FunctionsList } from "./views/functions-list.tsx";
import { Regions } from "./views/regions.tsx";
import { SignIn } from "./views/sign-in.tsx";
import { Subscriptions } from "./views/subscriptions.tsx";

const NAV: { view: Route["view"]; label: string; path: string }[] = [
  { view: "functions", label: "Functions", path: "functions" },
  { view: "regions", label: "Regions", path: "regions" },
  { view: "databases", label: "Databases", path: "databases" },
  { view: "subscriptions", label: "Subscriptions", path: "subscriptions" },
  { view: "deploy", label: "Deploy", path: "deploy" },
];

export function App() {
  const [token, setToken] = useState(storedToken);
  const route = useRoute();
  const session = useMemo<Session | null>(() => {
    if (token === null) return null;
    return {
      api: apiClient(token),
      signOut: () => {
        forgetToken();
        setToken(null);
      },
    };
  }, [token]);

  if (session === null) {
    return <SignIn onSignedIn={(t) => { storeToken(t); setToken(t); }} />;
  }
  const current = route.view === "function" ? "functions" : route.view;
  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">Helios Edge</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.view}>
                <a href={href(item.path)} aria-current={current === item.view ? "page" : undefined}>{item.label}</a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="sign-out" onClick={session.signOut}>Sign out</button>
      </header>
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
    </SessionContext.Provider>
  );
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case "function":
      return <FunctionPage name={route.name} tab={route.tab} />;
    case "regions":
      return <Regions />;
    case "databases":
      return <Databases region={route.region} db={route.db} />;
    case "deploy":
      return <Deploy />;
    case "subscriptions":
      return <Subscriptions region={route.region} db={route.db} name={route.name} />;
    default:
      return <FunctionsList />;
  }
}
