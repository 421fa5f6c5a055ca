// Types of scripts/build-dashboard.mjs for TypeScript callers (vitest.config.ts).
export declare const DASHBOARD_DIST: string;
export declare function buildDashboard(): Promise<{ raw: number; gzip: number }>;
export declare function bundleSize(): Promise<{ raw: number; gzip: number }>;
