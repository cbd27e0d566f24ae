import { listReport } from "../inventory/list.js";
import { renderListMarkdown } from "../render/list-markdown.js";
import { renderListText } from "../render/list-text.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { inventoryOrErrors } from "./inventory-read.js";
import { colorsFor, writeJson, type CommonOptions } from "./options.js";

export async function runList(paths: string[], opts: CommonOptions): Promise<ExitCode> {
  const inventory = await inventoryOrErrors("list", paths, opts);
  if (!inventory) return EXIT.error;
  const report = listReport(inventory);
  if (opts.format === "json") writeJson(report);
  else if (opts.format === "markdown") process.stdout.write(renderListMarkdown(report));
  else process.stdout.write(renderListText(report, colorsFor(opts)));
  return report.problems.length > 0 ? EXIT.error : EXIT.ok;
}
