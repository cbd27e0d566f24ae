import { LABEL } from "../model/index.js";
import type { LiveObject } from "../providers/provider.js";
import type { DesiredObject } from "./desired-objects.js";
import type { NodeVerdict } from "./diff-node.js";
import { nameKey, type LiveIndex } from "./live-index.js";

// A JWK's part of a node's diff: it follows its source certificate (onCertificateChange), or is kept
// standalone, without its link, when the stack says disconnect.

// JWKs that keep their key must be cut loose before anything replaces the certificate under them.
export const DISCONNECT_STEP = 0;

export interface JwkContext {
  live: LiveIndex;
  names: Map<string, string>;
  replaced: Set<string>;
  verdicts: Map<string, NodeVerdict>;
  put: (d: DesiredObject, name: string, body: Record<string, unknown>, step?: number) => void;
}

export function diffJwk(d: DesiredObject, current: LiveObject | undefined, ctx: JwkContext): void {
  const policy = d.jwk!;
  const sourceName = ctx.names.get(policy.sourceAddress);
  const source = policy.sourceKind === "certificates" ? { certificate: sourceName } : { trusted: sourceName };
  const body = { ...d.body, source };
  if (!current) {
    ctx.put(d, d.objectName, body);
    ctx.verdicts.set(d.address, { action: "create", reasons: [] });
    return;
  }
  const disconnected = current.fields.source === null && current.labels[LABEL.disconnectedFrom] !== undefined;
  if (ctx.replaced.has(policy.sourceAddress)) {
    if (policy.onChange === "disconnect") {
      if (!disconnected) {
        ctx.put(d, current.name, standaloneJwk(current, policy.sourceAddress, { labels: d.body.labels as Record<string, string> }), DISCONNECT_STEP);
        ctx.verdicts.set(d.address, { action: "update", reasons: [`keeps its key and drops the link: ${policy.sourceAddress} is replaced (onCertificateChange: disconnect)`], live: current });
      } else ctx.verdicts.set(d.address, { action: "no-op", reasons: [], live: current });
      return;
    }
    ctx.put(d, current.name, body);
    ctx.verdicts.set(d.address, { action: "update", reasons: [`takes the new key: ${policy.sourceAddress} is replaced (onCertificateChange: update)`], live: current });
    return;
  }
  // A JWK kept standalone on purpose stays as it is while the stack says disconnect.
  if (disconnected && policy.onChange === "disconnect") {
    ctx.verdicts.set(d.address, { action: "no-op", reasons: [], live: current });
    return;
  }
  const reasons: string[] = [];
  const liveSource = current.fields.source as Record<string, string> | null;
  if (JSON.stringify(liveSource) !== JSON.stringify(source)) reasons.push(`source: ${JSON.stringify(liveSource)} → ${JSON.stringify(source)}`);
  for (const key of ["use", "alg", "kid"] as const) {
    if (d.settings[key] !== undefined && current.fields[key] !== d.settings[key]) reasons.push(`${key}: ${JSON.stringify(current.fields[key])} → ${JSON.stringify(d.settings[key])}`);
  }
  const wantLabels = JSON.stringify(Object.entries(d.body.labels as object).sort());
  if (reasons.length === 0 && JSON.stringify(Object.entries(current.labels).sort()) !== wantLabels) reasons.push("labels changed");
  if (reasons.length > 0) ctx.put(d, current.name, body);
  ctx.verdicts.set(d.address, { action: reasons.length ? "update" : "no-op", reasons, live: current });
}

/** The JWK as it is now, without its link; released ones lose the stack's ownership too. */
export function standaloneJwk(obj: LiveObject, from: string, opts: { release?: boolean; labels?: Record<string, string> }): Record<string, unknown> {
  const labels: Record<string, string> = { ...(opts.labels ?? obj.labels), [LABEL.disconnectedFrom]: from };
  if (opts.release) {
    delete labels[LABEL.stack];
    delete labels[LABEL.address];
  }
  const body: Record<string, unknown> = { jwk: obj.fields.jwk, use: obj.fields.use, kid: obj.fields.kid, labels };
  if (obj.fields.alg !== undefined) body.alg = obj.fields.alg;
  return body;
}

/** The address of the certificate a live JWK is linked to, when the stack owns that certificate. */
export function sourceAddressOf(jwk: LiveObject, live: LiveIndex): string | undefined {
  const source = jwk.fields.source as { certificate?: string; trusted?: string } | null;
  if (!source) return undefined;
  const target = source.certificate !== undefined ? live.byName.get(nameKey("certificates", source.certificate)) : live.byName.get(nameKey("trusted", source.trusted ?? ""));
  return target?.labels[LABEL.address];
}
