// Types of scripts/build-dashboard.mjs for TypeScript callers (vitest.config.ts).
export declare const DASHBOARD_MODULE: string;
export declare function parseHeaders(text: string): [string, string][];
export declare function buildDashboard(): Promise<{ raw: number; gzip: number }>;
