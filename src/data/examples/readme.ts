/** The parts every example's README.md shares: how it was made and what to run. */
import type { ExampleName } from "./names.js";

export interface ReadmeFacts {
  name: ExampleName;
  rows: number;
  seed: number;
}

/** 1234567 → "1,234,567", without the locale machinery (the README must be the same bytes everywhere). */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** The command that writes the same bytes again, into a new folder. */
export function regenerateLine({ name, rows, seed }: ReadmeFacts): string {
  return `sluice example ${name} ${name}-copy --rows ${rows} --seed ${seed}`;
}

/** Shell lines with their comments aligned. */
function commented(lines: readonly (readonly [string, string])[]): string {
  const width = Math.max(...lines.map(([command]) => command.length)) + 2;
  return lines.map(([command, comment]) => `${command.padEnd(width)}# ${comment}`).join("\n");
}

/** The "Try it" section: the commands to run, and one record as a prediction request carries it. */
export function tryItSection(
  facts: ReadmeFacts,
  model: string,
  record: Record<string, string | number>,
): string {
  return `## Try it

\`\`\`sh
${commented([
  ["sluice check", "the project file is valid and matches the data's columns"],
  [
    "sluice validate",
    "checks the data against the schema (types, ranges, nulls, leakage); --quarantine FILE sets failing rows aside",
  ],
  ["sluice features", "what a model sees: every input and every output column"],
  ["sluice run", "validate → split → fit features, with an HTML report under .sluice/runs/"],
])}
\`\`\`

One record, as a prediction request for \`${model}\` (the name under \`registry:\`) carries it:

\`\`\`json
${JSON.stringify(record)}
\`\`\`

The data is synthetic: a seeded generator drew it, and this command writes the same bytes
again into a new folder:

\`\`\`sh
${regenerateLine(facts)}
\`\`\`
`;
}
