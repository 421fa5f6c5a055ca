// Entry of the dashboard bundle (scripts/build-dashboard.mjs): the styles and the app, mounted on #app.

import { render } from "preact";
import { App } from "./app.tsx";
import "./styles.css";

const root = document.getElementById("app")!;
root.textContent = "";
render(<App />, root);
// Marks the first view as interactive: the browser tests and the first-view bench wait for it.
document.documentElement.dataset.ready = "true";
