import { LABEL } from "../model/index.js";
import type { LiveObject } from "../providers/provider.js";
import { liveChain } from "./chain-cache.js";
import type { DesiredObject } from "./desired-objects.js";
import { renewalReason } from "./renewal.js";

export interface Comparison {
  action: "update" | "replace" | "no-op";
  reasons: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const show = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));

/** Live fingerprints of a certificate object's chain, or of a trusted certificate. */
export function liveFingerprints(live: LiveObject): string[] {
  const pem = (live.fields.chain ?? live.fields.certificate) as string | undefined;
  if (!pem) return [];
  try {
    return liveChain(pem).map((c) => c.fingerprint256);
  } catch {
    return [];
  }
}

/** What it takes to bring one live object to the desired one: nothing, an update in place, or a replacement. */
export function compare(d: DesiredObject, live: LiveObject, now: Date): Comparison {
  const reasons: string[] = [];
  if (d.collection === "certificates") {
    if (d.material) {
      if (live.fields.generated === true) reasons.push("the gateway holds a generated certificate; the stack now brings its own");
      else if (!same(liveFingerprints(live), d.material.fingerprints)) reasons.push("certificate content changed");
      else if (live.fields.keyFingerprint256 !== d.material.keyFingerprint256) reasons.push("key changed");
    } else {
      if (live.fields.generated !== true) reasons.push("the stack now has the gateway generate it");
      else if (live.labels[LABEL.hash] !== (d.body.labels as Record<string, string>)[LABEL.hash]) reasons.push("generate settings changed");
      else if (d.renewBefore !== undefined) {
        const renewal = renewalReason(new Date(String(live.fields.notAfter)), d.renewBefore, now, { force: d.renewNow === true });
        if (renewal) reasons.push(renewal);
      }
    }
  } else if (d.collection === "trusted" && !same(liveFingerprints(live), d.material?.fingerprints)) {
    reasons.push("certificate content changed");
  }
  if (reasons.length > 0) return { action: "replace", reasons };

  for (const [key, want] of Object.entries(d.settings)) {
    if (key === "generate" || key === "source") continue;
    // A trusted certificate's alias is its name on the gateway.
    const have = key === "alias" && live.collection === "trusted" ? live.name : live.fields[key];
    if (!same(normalize(key, have), normalize(key, want))) reasons.push(`${key}: ${show(have)} → ${show(want)}`);
  }
  const wantLabels = d.body.labels as Record<string, string>;
  if (!same(sortKeys(live.labels), sortKeys(wantLabels)) && reasons.length === 0) reasons.push("labels changed");
  return reasons.length > 0 ? { action: "update", reasons } : { action: "no-op", reasons: [] };
}

function normalize(key: string, v: unknown): unknown {
  if (key === "hosts" && Array.isArray(v)) return [...v].map((h) => String(h).toLowerCase()).sort();
  if (key === "path" && typeof v === "string") return v.replace(/\/+$/, "") || "/";
  return v;
}

const sortKeys = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
