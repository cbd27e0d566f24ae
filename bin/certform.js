#!/usr/bin/env node
// Runs the TypeScript sources through tsx so that `npx certform` works right after `npm ci`,
// with no build step that could go stale.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
const code = await main(process.argv);
// A TypeScript stack may leave a timer or socket open; the command is done, so it must not hang CI.
// Exit once what was written has reached stdout and stderr.
await new Promise((resolve) => process.stdout.write("", resolve));
await new Promise((resolve) => process.stderr.write("", resolve));
process.exit(code);
