/**
 * The CLI as a child process, from the TypeScript sources (tests that need a real process to
 * kill, or two processes at once): `node --import tsx child-cli.ts run DIR …`.
 */
import { main } from "../main.js";

process.exitCode = await main(process.argv);
