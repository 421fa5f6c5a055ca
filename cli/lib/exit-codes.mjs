// Exit codes of the helios CLI: the contract scripts rely on (README.md, "CLI"). One row per meaning.

export const EXIT = Object.freeze({
  /** The command did what it was asked. */
  ok: 0,
  /** The command line or a local file (helios.json, payload file) is wrong; nothing was sent. */
  usage: 1,
  /** The server answered with an API error `{ error: { code, message } }` other than an auth refusal. */
  refused: 2,
  /** The server could not be reached (refused connection, DNS, TLS, timeout). */
  network: 3,
  /** No token configured, or the server refused the token (401 unauthorized, 403 forbidden). */
  auth: 4,
  /** The server answered something that is not the API's JSON (a proxy's HTML page, a truncated body). */
  protocol: 5,
});

/** Rows for `helios --help` and the README. */
export const EXIT_TABLE = [
  [EXIT.ok, "success"],
  [EXIT.usage, "usage error: bad arguments, unreadable or invalid helios.json or payload file; nothing was sent"],
  [EXIT.refused, "the server refused the request with an error code (unknown_function, invalid_request, guest_trap, ...)"],
  [EXIT.network, "the server could not be reached (connection refused, DNS, TLS, timeout)"],
  [EXIT.auth, "no token configured, or the token was refused (unauthorized, forbidden)"],
  [EXIT.protocol, "the server's answer was not the API's JSON (wrong URL, a proxy in the way)"],
];
