import type { ExpiryReport } from "../model/expiry-report.js";
import { renderExpiryNotifyText } from "../render/expiry-text.js";

const TIMEOUT_MS = 10_000;

/**
 * POSTs the report to a webhook: the JSON report with a `text` field, which Slack (and Mattermost, Teams'
 * incoming webhooks, …) show as the message. Resolves with an error message, or undefined once delivered.
 */
export async function notifyWebhook(url: string, report: ExpiryReport): Promise<string | undefined> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return `--notify ${url}: not a URL; give the webhook's http:// or https:// address`;
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") return `--notify ${target.protocol}//…: only http:// and https:// webhooks are supported`;
  // The URL of a webhook is its secret: messages name its host only.
  const where = `the webhook at ${target.host}`;
  try {
    const res = await fetch(target, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: renderExpiryNotifyText(report), ...report }), signal: AbortSignal.timeout(TIMEOUT_MS) });
    await res.arrayBuffer();
    return res.ok ? undefined : `${where} answered HTTP ${res.status}; the report was not delivered`;
  } catch (err) {
    return `${where} could not be reached (${err instanceof Error ? err.message : String(err)}); the report was not delivered`;
  }
}
