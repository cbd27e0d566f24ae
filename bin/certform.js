#!/usr/bin/env node
// Runs the compiled JavaScript in dist/ (built by `npm ci` through `prepare`, and before `npm test` and
// `npm start`): transpiling the sources at every start cost about a second.
import { existsSync, readFileSync } from "node:fs";

// `certform --version` alone is answered before the command tree is loaded (half its start-up time), from
// certform's own package.json, found by this file's location, never the user's project's.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  process.stdout.write(`${JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version}\n`);
  process.exit(0);
}

const entry = new URL("../dist/cli/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("certform is not built: run npm ci (or npm run build) in the certform package first.\n");
  process.exit(1);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
// A TypeScript stack may leave a timer or socket open; the command is done, so it must not hang CI.
// Exit once what was written has reached stdout and stderr.
await new Promise((resolve) => process.stdout.write("", resolve));
await new Promise((resolve) => process.stderr.write("", resolve));
process.exit(code);
