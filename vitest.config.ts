import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // The plain closing line CI reads ("N passed, N failed") comes from test/reporter.ts.
    reporters: ["default", "./test/reporter.ts"],
  },
});
