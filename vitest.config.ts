import { defineConfig } from "vitest/config";

// Projects: "unit" runs plain-Node tests next to their code. Workers integration
// and end-to-end projects are added alongside as they land.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          environment: "node",
          include: ["src/**/*.test.ts", "scripts/**/*.test.ts", "test/unit/**/*.test.ts"],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
