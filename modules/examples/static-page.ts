// A static HTML page served over HTTP (ABI version 2): GET /fn/static-page answers 200 with `text/html`. HEAD is
// answered by the runtime without a body; other methods get 405 with an Allow header.

import { request, response } from "../sdk";

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Helios Edge</title></head>
<body>
<h1>Hello from Helios Edge</h1>
<p>This page is served by a WebAssembly function written in AssemblyScript.</p>
</body>
</html>
`;

export function handle_request(): void {
  const method = request.method();
  if (method != "GET" && method != "HEAD") {
    response.status(405);
    response.header("allow", "GET, HEAD");
    response.header("content-type", "text/plain; charset=utf-8");
    response.send("method not allowed\n");
    return;
  }
  response.header("content-type", "text/html; charset=utf-8");
  response.header("cache-control", "public, max-age=60");
  response.send(PAGE);
}
