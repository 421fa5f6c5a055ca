// Types of what scripts/deploy-examples.mjs exports (for the TypeScript tests that import it).
export const EXAMPLE_TAG: string;
export function sha256Hex(bytes: Uint8Array): string;
export function isStillTheExample(current: { tag?: string; sha256: string } | null, bytes: Uint8Array): boolean;
export function readTokenFile(path: string): string | null;
