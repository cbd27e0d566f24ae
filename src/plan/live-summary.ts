import type { ObjectSummaryValue } from "../model/plan.js";
import type { LiveObject } from "../providers/provider.js";
import { liveChain } from "./chain-cache.js";
import { summarizeChain } from "./summaries.js";

const SETTINGS: Record<LiveObject["collection"], string[]> = {
  certificates: ["hosts", "default"],
  trusted: ["alias"],
  endpoints: ["url", "path"],
  trust: ["alias", "endpoint", "scope", "hosts", "required"],
  jwks: ["source", "use", "alg", "kid"],
};

/** The "before" side of a change: what the node holds, shown the way the plan shows the stack's side. */
export function summarizeLive(o: LiveObject, now: Date): ObjectSummaryValue {
  const settings: Record<string, unknown> = {};
  for (const key of SETTINGS[o.collection]) if (o.fields[key] !== undefined) settings[key] = o.fields[key];
  if (o.collection === "trusted") settings.alias = o.name;
  if (o.collection === "certificates" && o.fields.generated === true) settings.generated = true;
  const summary: ObjectSummaryValue = { object: { collection: o.collection, name: o.name }, settings, labels: o.labels };
  const pem = (o.fields.chain ?? o.fields.certificate) as string | undefined;
  if (pem) {
    try {
      summary.certificate = summarizeChain(liveChain(pem), now, o.collection === "certificates" ? o.fields.generated === true : undefined);
    } catch {
      // A gateway holding something undecodable is shown by its settings alone.
    }
  }
  return summary;
}
