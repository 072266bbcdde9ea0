import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "./main.js";
import { runCli } from "./test-utils/run-cli.js";

/** Every registered command and subcommand, as the words that name it (`["runs", "list"]`). */
function commandPaths(command: Command, prefix: readonly string[] = []): string[][] {
  return command.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    return [path, ...commandPaths(sub, path)];
  });
}

const paths = commandPaths(buildProgram());

describe("--help", () => {
  it("covers the verbs the README tours, and their subcommands", () => {
    const names = paths.map((p) => p.join(" "));
    for (const verb of [
      "run",
      "runs list",
      "runs show",
      "runs compare",
      "models alias",
      "promote",
      "schema infer",
    ])
      expect(names).toContain(verb);
  });

  it.each(paths.map((p) => [p.join(" "), p] as const))(
    "sluice %s --help teaches: a description, an example and the exit codes",
    async (_name, path) => {
      const r = await runCli([...path, "--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: sluice /m);
      expect(r.stdout).toMatch(/\n\n\S.+\n/); // the description, under the usage line
      expect(r.stdout).toMatch(/^Examples:$/m);
      expect(r.stdout).toMatch(/^ {2}\$ sluice \S/m);
      // Each listed code has a meaning: "Exit codes: 0 <what> · 2 <what>".
      expect(r.stdout).toMatch(/^Exit codes: 0 [^·\n]*\w[^·]*( · [12] [^·]*\w)+/m);
    },
  );

  it("says the same at the top", async () => {
    const r = await runCli(["--help"]);
    expect(r.stdout).toMatch(/^ {2}\$ sluice /m);
    expect(r.stdout).toMatch(/^Exit codes: 0 ok · 1 .+ · 2 /m);
  });
});
