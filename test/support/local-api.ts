/** The private host the Workers tests' operator setting (HELIOS_OUTBOUND_ALLOW_PRIVATE in vitest.config.ts) exempts:
 *  a "local API" the outbound handler (outbound-server.ts) answers. Its own module, so tests inside workerd can import
 *  it without pulling in miniflare. */
export const LOCAL_API_HOST = "127.0.0.1:9999";
