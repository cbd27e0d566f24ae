#!/usr/bin/env node
// Runs the TypeScript sources through tsx so that `npx certform` works right after `npm ci`,
// with no build step that could go stale.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
