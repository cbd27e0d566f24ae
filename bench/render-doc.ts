// Regenerates the table in docs/performance.md from a results file, without measuring anything: for a
// change to the table's layout, or after the intro was edited by hand.
// Run: npx tsx bench/render-doc.ts [bench/results/<date>.json]   (default: the newest)
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderSection, updatePerformanceDoc } from "./report.js";
import type { Results } from "./results.js";

const repo = join(import.meta.dirname, "..");
const dir = join(repo, "bench/results");
const file = process.argv[2] ?? join(dir, readdirSync(dir).filter((f) => f.endsWith(".json")).sort().at(-1) ?? "");
const results = JSON.parse(readFileSync(file, "utf8")) as Results;
const doc = join(repo, "docs/performance.md");
writeFileSync(doc, updatePerformanceDoc(readFileSync(doc, "utf8"), renderSection(results)));
console.log(`docs/performance.md: table from ${file}`);
