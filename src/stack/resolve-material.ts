import { durationDays, type Diagnostic } from "../model/index.js";
import { checkServerCertificate, checkTrustedCertificate, type Finding } from "../x509/index.js";
import type { AnyInstance, DesiredState, EnvironmentState } from "./desired-state.js";
import { diagnose } from "./diagnose.js";
import { SourceError, sourceReader, type SourceReaderOptions } from "./read-sources.js";

export interface ResolveOptions extends Partial<SourceReaderOptions> {
  now?: Date;
}

/** Reads every certificate and key the stack names, attaches it to its instance, and runs the certificate checks. */
export async function resolveMaterial(state: DesiredState, opts: ResolveOptions = {}): Promise<Diagnostic[]> {
  const reader = sourceReader({ env: opts.env ?? process.env, capture: opts.capture ?? true, ...(opts.captureTimeoutMs ? { captureTimeoutMs: opts.captureTimeoutMs } : {}) });
  const now = opts.now ?? new Date();
  const warnBeforeDays = durationDays(state.alerts.warnBefore);
  const out: Diagnostic[] = [];
  const report = (inst: AnyInstance, f: Finding | SourceError) => {
    if (f instanceof SourceError) out.push(diagnose(inst.origin, inst.address, { code: f.code, message: f.message, hint: f.hint, field: f.field }));
    else out.push(diagnose(inst.origin, inst.address, { severity: f.severity, code: f.code, message: f.message, hint: f.hint, field: f.field ?? [] }));
  };
  const guarded = (inst: AnyInstance, fn: () => Promise<void>) =>
    fn().catch((err) => {
      if (err instanceof SourceError) report(inst, err);
      else throw err;
    });

  const jobs: Promise<void>[] = [];
  for (const env of state.environments) {
    for (const c of env.certificates) {
      jobs.push(guarded(c, async () => {
        const spec = c.spec;
        if (spec.generate) {
          if (durationDays(spec.generate.renewBefore) >= durationDays(spec.generate.validity)) {
            report(c, { severity: "error", code: "renew-window", message: `renewBefore ${spec.generate.renewBefore} is not shorter than validity ${spec.generate.validity}: it would be replaced at every plan`, hint: "make renewBefore shorter than validity, e.g. validity: 90d, renewBefore: 30d", field: ["generate", "renewBefore"] });
          }
          if (spec.generate.issuer) {
            const issuer = await reader.certificates(spec.generate.issuer.certificate, c.origin.baseDir, "certificate");
            const key = await reader.key(spec.generate.issuer.key, c.origin.baseDir).catch((e) => {
              if (e instanceof SourceError) e.field.unshift("generate", "issuer");
              throw e;
            });
            const ca = issuer?.chain[0];
            if (ca && !ca.checkPrivateKey(key)) report(c, { severity: "error", code: "key-mismatch", message: `the issuer key does not belong to the issuer certificate ${ca.subject.replace(/\n/g, ", ")}`, hint: "give the CA's own key", field: ["generate", "issuer", "key"] });
            else if (ca && !ca.ca) report(c, { severity: "error", code: "issuer-not-ca", message: `the issuer ${ca.subject.replace(/\n/g, ", ")} is not a CA certificate (basicConstraints CA:FALSE)`, hint: "issue from a CA certificate", field: ["generate", "issuer", "certificate"] });
            if (issuer) c.material = { chain: issuer.chain, key };
          }
          return;
        }
        if (!spec.certificate) return;
        const cert = await reader.certificates(spec.certificate, c.origin.baseDir, "certificate");
        if (!cert) return;
        const chain = [...cert.chain];
        if (spec.chain) {
          const extra = await reader.certificates(spec.chain, c.origin.baseDir, "chain");
          if (extra) chain.push(...extra.chain);
        }
        const key = spec.key ? await reader.key(spec.key, c.origin.baseDir) : cert.key;
        c.material = key ? { chain, key } : { chain };
        const pin = "url" in spec.certificate ? spec.certificate.sha256 : undefined;
        const findings = checkServerCertificate({ chain, ...(key ? { key } : {}), ...(spec.hosts ? { hosts: spec.hosts } : {}), now, warnBeforeDays, ...(pin ? { pinSha256: pin } : {}) });
        for (const f of findings) report(c, f);
      }));
    }
    for (const t of env.trustedCertificates) {
      jobs.push(guarded(t, async () => {
        const cert = await reader.certificates(t.spec.certificate, t.origin.baseDir, "certificate");
        if (!cert) return;
        t.material = { chain: cert.chain };
        const pin = "url" in t.spec.certificate ? t.spec.certificate.sha256 : undefined;
        for (const f of checkTrustedCertificate({ certificates: cert.chain, now, warnBeforeDays, ...(pin ? { pinSha256: pin } : {}) })) report(t, f);
      }));
    }
  }
  await Promise.all(jobs);
  for (const env of state.environments) out.push(...duplicateContent(env));
  return out;
}

/** The same certificate under two names in one environment is allowed, but usually a mistake. */
function duplicateContent(env: EnvironmentState): Diagnostic[] {
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
