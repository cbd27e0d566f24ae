import { generateHosts, type Diagnostic } from "../model/index.js";
import { certLabel, dnsSans, hostCovered, hostProblem, ipSans, jwkProblem } from "../x509/index.js";
import type { AnyInstance, CertificateInstance, EnvironmentState } from "./desired-state.js";
import { diagnose } from "./diagnose.js";

// Checks across one environment's resources, once every resource's material is read (resolve-material.ts).

/** The hosts a certificate is served for: as declared, or else its DNS and IP SANs. */
export function servedHosts(c: CertificateInstance): string[] {
  if (c.spec.hosts) return c.spec.hosts;
  if (c.spec.generate) return generateHosts(c.spec.generate);
  const leaf = c.material?.chain[0];
  try {
    return leaf ? [...dnsSans(leaf), ...ipSans(leaf)] : [];
  } catch {
    // Its SANs could not be read: that failure is already reported on the certificate itself.
    return [];
  }
}

/** One certificate per host (SNI picks one), one default, and mutual-TLS hosts that are served at all. */
export function checkServedHosts(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const owners = new Map<string, CertificateInstance>();
  for (const c of env.certificates) {
    c.hosts.forEach((host, i) => {
      const owner = owners.get(host.toLowerCase());
      if (owner && owner !== c) {
        const field = c.spec.hosts ? ["hosts", i] : c.spec.generate ? ["generate", "hosts", i] : ["certificate"];
        out.push(diagnose(c.origin, c.address, { code: "host-duplicate", message: `host ${host} is also served by ${owner.address}`, hint: "SNI picks one certificate per host: serve each host from one certificate (set hosts: to split them)", field }));
      } else owners.set(host.toLowerCase(), c);
    });
  }
  const served = env.certificates.flatMap((c) => c.hosts);
  for (const t of env.trustAssignments) {
    (t.spec.hosts ?? []).forEach((host, i) => {
      if (host.includes("${") || hostProblem(host) || served.some((s) => s.toLowerCase() === host.toLowerCase() || hostCovered(host, [s]))) return;
      out.push(diagnose(t.origin, t.address, { severity: "warning", code: "clients-host-unserved", message: `no certificate of ${env.name} serves ${host}, so no client of it can be asked for a certificate`, hint: "add the host to a certificate's hosts, or remove it here", field: ["hosts", i] }));
    });
  }
  return out;
}

/** jwk-key-unsupported: a JWKS entry over a certificate whose key has no JWK form (Brainpool, DSA, GOST, …). */
export function checkJwkSources(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const j of env.jwks) {
    const source =
      env.certificates.find((c) => c.name === j.spec.certificate && !c.spec.generate) ?? env.trustedCertificates.find((t) => t.name === j.spec.certificate);
    const leaf = source?.material?.chain[0];
    const problem = leaf ? jwkProblem(leaf) : undefined;
    if (!leaf || !problem) continue;
    out.push(diagnose(j.origin, j.address, {
      code: "jwk-key-unsupported",
      message: `${source.address}'s certificate ${certLabel(leaf)} cannot be published as a JWK: ${problem}`,
      hint: "publish a certificate with an RSA, EC P-256/P-384/P-521 or Ed25519 key",
      field: ["certificate"],
    }));
  }
  return out;
}

/** The same certificate under two names in one environment is allowed, but usually a mistake. */
export function duplicateContent(env: EnvironmentState): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Map<string, AnyInstance>();
  for (const inst of [...env.certificates, ...env.trustedCertificates]) {
    const leaf = inst.material?.chain[0];
    if (!leaf || (inst.kind === "certificates" && inst.spec.generate)) continue;
    const key = `${inst.kind}\u0000${leaf.fingerprint256}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, inst);
      continue;
    }
    const label = (i: AnyInstance) => (i.kind === "trustedCertificates" ? `alias "${i.alias}" (${i.address})` : i.address);
    out.push(diagnose(inst.origin, inst.address, {
      severity: "warning",
      code: "duplicate-content",
      message: `the same certificate (${leaf.fingerprint256.slice(0, 23)}…) is also declared as ${label(first)}`,
      hint: "keep one declaration and reference it, unless two aliases are wanted on purpose",
      field: ["certificate"],
    }));
  }
  return out;
}
