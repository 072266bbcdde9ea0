import { defineConfig } from "vitest/config";

// Tests read the CLI's plain text. Colour is decided once, when picocolors is first imported,
// and it is switched on when a CI variable is set; so turn it off here, before the test
// processes start (they inherit this environment).
process.env.NO_COLOR = "1";
delete process.env.FORCE_COLOR;

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "bench/**/*.test.ts", "deploy/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    env: { NO_COLOR: "1" },
  },
});
