import type { KeyObject, X509Certificate } from "node:crypto";
import { certFields } from "./cert-fields.js";
import { isSelfSigned, issuedBy, linkProblem, linksInOrder, orderChain } from "./chain-order.js";
import { certLabel } from "./describe.js";
import { CERTIFICATE_FIELD as CERT, type Finding } from "./finding.js";
import { issuedByPublicRoot } from "./root-store.js";

export interface ChainOrder {
  /** chain-order, when some certificate is not followed by its issuer. */
  finding?: Finding;
  /** The chain leaf first when reordering repairs it; undefined when it needs no repair or cannot be repaired. */
  fixed?: X509Certificate[];
}

/**
 * Whether each certificate is followed by its issuer and, when not, whether reordering the same
 * certificates repairs the chain. The key picks the leaf when it matches one; when ordering around
 * that certificate fails (the key is an intermediate's), the order by issuers alone is tried.
 */
export function chainOrder(chain: X509Certificate[], key: KeyObject | undefined): ChainOrder {
  const broken = chain.findIndex((c, i) => i + 1 < chain.length && !issuedBy(c, chain[i + 1]!));
  if (broken === -1) return {};
  const a = chain[broken]!;
  const b = chain[broken + 1]!;
  const candidates = key ? [orderChain(chain, key), orderChain(chain)] : [orderChain(chain)];
  const fixed = candidates.find((o) => o.length === chain.length && linksInOrder(o));
  let message = `the chain breaks between position ${broken + 1} (${certLabel(a)}) and position ${broken + 2} (${certLabel(b)}): ${linkProblem(a, b)}`;
  let hint = "order the chain leaf first, each certificate followed by its issuer; remove certificates that do not belong";
  if (fixed) {
    const leafFirst = fixed[0] !== chain[0];
    message += leafFirst
      ? `; the ${chain[0]!.ca ? "intermediate" : "certificate"} ${certLabel(chain[0]!)} comes before the leaf: put the leaf first`
      : "; the certificates given do form a chain in another order";
    hint = `put them in this order: ${fixed.map(certLabel).join(" → ")}`;
  }
  const finding: Finding = { severity: "error", code: "chain-order", message, hint, field: CERT };
  return fixed ? { finding, fixed } : { finding };
}

/**
 * chain-incomplete: the chain (in issuer order) ends with a certificate that is neither self-signed
 * nor a CA, issued by something other than a public root: clients cannot build a path from it. An
 * intermediate at the end is fine: the root that issued it is assumed to be one the clients have,
 * which is how private PKIs are deployed (the root is never sent).
 */
export function chainIncompleteFindings(ordered: X509Certificate[]): Finding[] {
  const last = ordered[ordered.length - 1];
  if (!last || isSelfSigned(last) || last.ca || issuedByPublicRoot(last)) return [];
  return [{
    severity: "warning",
    code: "chain-incomplete",
    message: `the chain stops at ${certLabel(last)}, issued by ${certFields(last).issuer}, which clients may not have`,
    hint: "append the intermediate certificate(s) after the leaf, up to (not necessarily including) the root",
    field: CERT,
  }];
}
