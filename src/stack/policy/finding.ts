import type { X509Certificate } from "node:crypto";
import type { PolicyOf, PolicyRule } from "../../model/index.js";
import type { AnyInstance, CertificateInstance, EnvironmentState } from "../desired-state.js";
import type { PathSegment } from "../yaml-source.js";

/** A resource that breaks a rule, at the field that does (relative to its declaration). */
export interface PolicyFinding {
  instance: AnyInstance;
  field: PathSegment[];
  message: string;
  hint: string;
}

export interface RuleContext {
  now: Date;
}

/** One rule's check: a pure function of the rule and one environment's instantiated, material-read state. */
export type RuleCheck<R extends PolicyRule> = (policy: PolicyOf<R>, env: EnvironmentState, ctx: RuleContext) => PolicyFinding[];

/** The certificate a file-sourced instance serves; generated ones have none until apply. */
export function servedLeaf(c: CertificateInstance): X509Certificate | undefined {
  // A signing request serves the outside CA's certificate once the stack gives it.
  return c.spec.generate && !c.spec.generate.csr ? undefined : c.material?.chain[0];
}

/** Where a served host is written: in hosts:, in generate.hosts, or else it came from the certificate's SANs. */
export function hostField(c: CertificateInstance, index: number): PathSegment[] {
  if (c.spec.hosts) return ["hosts", index];
  if (c.spec.generate?.csr) return ["generate", "csr", "hosts", index];
  if (c.spec.generate) return ["generate", "hosts", index];
  return ["certificate"];
}

/** Where a certificate's content is declared: generate settings or the certificate source. */
export function sourceField(c: CertificateInstance, generateField?: string): PathSegment[] {
  if (c.spec.generate?.csr && generateField === "keyType") return ["generate", "csr", "keyType"];
  if (c.spec.generate) return generateField ? ["generate", generateField] : ["generate"];
  return ["certificate"];
}

export const DAY_MS = 86_400_000;

export function validityDays(cert: X509Certificate): number {
  return (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / DAY_MS;
}

/** A certificate date as a day, e.g. 2027-01-31. */
export const day = (date: string): string => new Date(date).toISOString().slice(0, 10);

export const list = (items: readonly string[]): string => items.join(", ");
