import { DURATION_PATTERN } from "../model/index.js";
import { expiryReport } from "../inventory/expiry.js";
import { renderExpiryMarkdown } from "../render/expiry-markdown.js";
import { renderExpiryText } from "../render/expiry-text.js";
import { EXIT, type ExitCode } from "./exit-codes.js";
import { inventoryOrErrors } from "./inventory-read.js";
import { notifyWebhook } from "./notify.js";
import { colorsFor, writeJson, type CommonOptions } from "./options.js";

export interface ExpiryOptions extends CommonOptions {
  within?: string;
  notify?: string;
}

export async function runExpiry(paths: string[], opts: ExpiryOptions): Promise<ExitCode> {
  if (opts.within !== undefined && !DURATION_PATTERN.test(opts.within)) {
    const message = `--within ${opts.within}: a duration is a whole number and a unit (s, m, h, d, w or y), e.g. 30d`;
    if (opts.format === "json") writeJson({ error: { code: "invalid-option", message } });
    process.stderr.write(`Error: ${message}\n`);
    return EXIT.error;
  }
  const inventory = await inventoryOrErrors("expiry", paths, opts);
  if (!inventory) return EXIT.error;
  const report = expiryReport(inventory, { now: new Date(), ...(opts.within ? { within: opts.within } : {}) });
  if (opts.format === "json") writeJson(report);
  else if (opts.format === "markdown") process.stdout.write(renderExpiryMarkdown(report));
  else process.stdout.write(renderExpiryText(report, colorsFor(opts)));
  const undelivered = opts.notify ? await notifyWebhook(opts.notify, report) : undefined;
  if (undelivered) process.stderr.write(`Error: ${undelivered}\n`);
  if (undelivered || report.problems.length > 0) return EXIT.error;
  return report.inside > 0 ? EXIT.attention : EXIT.ok;
}
