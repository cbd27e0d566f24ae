import { durationDays, type Alerts, type CertificateSource, type Diagnostic } from "../model/index.js";
import { checkServerCertificate, checkTrustedCertificate, type Finding } from "../x509/index.js";
import { certificateInstances, type AnyInstance, type DesiredState } from "./desired-state.js";
import { checkJwkSources, checkServedHosts, duplicateContent, servedHosts } from "./environment-material-checks.js";
import { diagnose, type Problem } from "./diagnose.js";
import { readTrustAnchors } from "./management-trust.js";
import { namesKeystoreEntry, SourceError, sourceReader, type SourceReaderOptions } from "./read-sources.js";

export interface ResolveOptions extends Partial<SourceReaderOptions> {
  now?: Date;
}

/** Reads every certificate and key the stack names, attaches it to its instance, and runs the certificate checks. */
export async function resolveMaterial(state: DesiredState, opts: ResolveOptions = {}): Promise<Diagnostic[]> {
  const reader = sourceReader({ env: opts.env ?? process.env, capture: opts.capture ?? true, ...(opts.captureTimeoutMs ? { captureTimeoutMs: opts.captureTimeoutMs } : {}) });
  const now = opts.now ?? new Date();
  const windows = { warnBeforeDays: durationDays(state.alerts.warnBefore), criticalBeforeDays: durationDays(state.alerts.criticalBefore) };
  const out: Diagnostic[] = [];
  const report = (inst: AnyInstance, f: Finding | SourceError, source?: CertificateSource) => {
    if (f instanceof SourceError) out.push(diagnose(inst.origin, inst.address, { code: f.code, message: f.message, hint: f.hint, field: f.field }));
    else {
      const { message, hint } = f.code === "expiring" ? expiringWords(f, source, state.alerts) : f;
      const problem: Problem = { severity: f.severity, code: f.code, message, hint, field: f.field ?? [] };
      if (f.at) problem.at = f.at;
      out.push(diagnose(inst.origin, inst.address, problem));
    }
  };
  // One resource's failure never hides the others' findings: a read error is reported at its source, and
  // anything else (a bug in certform) as internal at the resource, after which the other resources go on.
  // A source whose ${env:…} is unset is reported as such once; reading it with the reference as text would only
  // add a misleading second error (a "wrong" passphrase, a missing file named ${env:…}).
  const SOURCE_FIELDS = ["certificate", "key", "chain", "generate"];
  const guarded = (inst: AnyInstance, fn: () => Promise<void>) =>
    (inst.unresolved?.some((f) => SOURCE_FIELDS.includes(f)) ? Promise.resolve() : fn()).catch((err: unknown) => {
      if (err instanceof SourceError) report(inst, err);
      else report(inst, internalFinding(err));
    });

  // The same file in every environment is one decoded chain and key (the reader caches them), so it is
  // checked once: findings depend only on the material, the hosts, the pin and the time.
  const checked = new Map<string, Finding[]>();
  const ids = new WeakMap<object, number>();
  let nextId = 0;
  const idOf = (o: object | undefined) => {
    if (!o) return "-";
    let id = ids.get(o);
    if (id === undefined) ids.set(o, (id = ++nextId));
    return String(id);
  };

  const jobs: Promise<void>[] = [];
  for (const env of state.environments) {
    for (const c of certificateInstances(env)) {
      jobs.push(guarded(c, async () => {
        const spec = c.spec;
        if (spec.generate?.csr) {
          // The outside CA's signed certificate, once it is back: its key is the one pending on the gateways.
          if (!spec.certificate) return;
          const cert = await reader.certificates(spec.certificate, c.origin.baseDir, "certificate");
          if (!cert) return;
          c.material = { chain: [...cert.chain] };
          // The hosts it will be served for are the request's own unless hosts: says otherwise.
          const hosts = spec.hosts ?? spec.generate.csr.hosts;
          for (const f of checkServerCertificate({ chain: c.material.chain, hosts, now, ...windows })) report(c, f, spec.certificate);
          return;
        }
        if (spec.generate) {
          // An ACME CA decides the validity, so only a self-made certificate's window can be checked here.
          if (!spec.generate.acme && durationDays(spec.generate.renewBefore) >= durationDays(spec.generate.validity)) {
            report(c, { severity: "error", code: "renew-window", message: `renewBefore ${spec.generate.renewBefore} is not shorter than validity ${spec.generate.validity}: it would be replaced at every plan`, hint: "make renewBefore shorter than validity, e.g. validity: 90d, renewBefore: 30d", field: ["generate", "renewBefore"] });
          } else if (durationDays(spec.generate.renewBefore) < windows.criticalBeforeDays) {
            report(c, { severity: "warning", code: "renew-after-critical", message: `renewBefore ${spec.generate.renewBefore} is shorter than alerts.criticalBefore ${state.alerts.criticalBefore}: the certificate becomes critical before plan renews it, and plan then refuses to run`, hint: `make renewBefore at least ${state.alerts.criticalBefore}, or shorten alerts.criticalBefore`, field: ["generate", "renewBefore"] });
          }
          if (spec.generate.issuer) {
            // Read errors are shared by every instance that reads the same file: never modify one.
            const underIssuer = (e: unknown): never => {
              if (e instanceof SourceError) throw new SourceError(e.code, e.message, e.hint, ["generate", "issuer", ...e.field]);
              throw e;
            };
            const issuer = await reader.certificates(spec.generate.issuer.certificate, c.origin.baseDir, "certificate").catch(underIssuer);
            const key = await reader.key(spec.generate.issuer.key, c.origin.baseDir).catch(underIssuer);
            const ca = issuer?.chain[0];
            if (ca && !ca.checkPrivateKey(key)) report(c, { severity: "error", code: "key-mismatch", message: `the issuer key does not belong to the issuer certificate ${ca.subject.replace(/\n/g, ", ")}`, hint: "give the CA's own key", field: ["generate", "issuer", "key"] });
            else if (ca && !ca.ca) report(c, { severity: "error", code: "issuer-not-ca", message: `the issuer ${ca.subject.replace(/\n/g, ", ")} is not a CA certificate (basicConstraints CA:FALSE)`, hint: "issue from a CA certificate", field: ["generate", "issuer", "certificate"] });
            if (issuer) c.material = { chain: issuer.chain, key };
          }
          const acme = spec.generate.acme;
          if (acme && !spec.generate.issuer) {
            // An ACME certificate's material is what apply needs to talk to the CA: the CAs that sign the
            // directory's HTTPS certificate, and the account key when the stack names one.
            const underAcme = (e: unknown): never => {
              if (e instanceof SourceError) throw new SourceError(e.code, e.message, e.hint, ["generate", "acme", ...e.field]);
              throw e;
            };
            const bundle = acme.caBundle ? await reader.certificates(acme.caBundle, c.origin.baseDir, "caBundle").catch(underAcme) : undefined;
            const key = acme.key ? await reader.key(acme.key, c.origin.baseDir).catch(underAcme) : undefined;
            c.material = { chain: bundle?.chain ?? [], ...(key ? { key } : {}) };
          }
          return;
        }
        if (!spec.certificate) return;
        const cert = await reader.certificates(spec.certificate, c.origin.baseDir, "certificate", true);
        if (!cert) return;
        if (!spec.key && !cert.key && "pkcs12" in spec.certificate) {
          report(c, { severity: "error", code: "pkcs12-no-key", message: "the PKCS#12 file holds no private key, and no key: is given", hint: "export the PKCS#12 with its key, or add key: { file: PATH }", field: ["certificate", "pkcs12"] });
        }
        const chain = [...cert.chain];
        if (spec.chain) {
          const extra = await reader.certificates(spec.chain, c.origin.baseDir, "chain");
          if (extra) chain.push(...extra.chain);
        }
        // A keystore's entry brings its key; a key: beside it is refused (keystore-key-given), not read as well.
        const key = spec.key && !(namesKeystoreEntry(spec.certificate) && cert.key) ? await reader.key(spec.key, c.origin.baseDir) : cert.key;
        c.material = key ? { chain, key } : { chain };
        const pin = "url" in spec.certificate ? spec.certificate.sha256 : undefined;
        const memo = [idOf(cert.chain), ...chain.slice(cert.chain.length).map(idOf), idOf(key), JSON.stringify(spec.hosts ?? null), pin ?? ""].join("|");
        let findings = checked.get(memo);
        if (!findings) {
          findings = checkServerCertificate({ chain, ...(key ? { key } : {}), ...(spec.hosts ? { hosts: spec.hosts } : {}), now, ...windows, ...(pin ? { pinSha256: pin } : {}) });
          checked.set(memo, findings);
        }
        for (const f of findings) report(c, f, spec.certificate);
      }));
    }
    const management = env.management;
    if (management) {
      jobs.push(guarded(management, async () => {
        const finding = await readTrustAnchors(management, env.spec.gateway, reader);
        if (finding) report(management, finding);
      }));
    }
    for (const t of env.trustedCertificates) {
      jobs.push(guarded(t, async () => {
        const cert = await reader.certificates(t.spec.certificate, t.origin.baseDir, "certificate");
        if (!cert) return;
        t.material = { chain: cert.chain };
        if (cert.chain.length > 1) {
          // A gateway's trusted alias holds one CA; a bundle file would otherwise be trusted by its first certificate only.
          const subjects = cert.chain.map((x) => x.subject.replace(/\n/g, ", ")).join("; ");
          report(t, { severity: "error", code: "trusted-several", message: `holds ${cert.chain.length} certificates (${subjects}); a trusted certificate is one CA`, hint: "declare each CA as a trusted certificate of its own (split the file; with a url source, select: root or leaf), and assign each", field: ["certificate", Object.keys(t.spec.certificate)[0] ?? "file"] }, t.spec.certificate);
        }
        const pin = "url" in t.spec.certificate ? t.spec.certificate.sha256 : undefined;
        for (const f of checkTrustedCertificate({ certificates: cert.chain, now, ...windows, ...(pin ? { pinSha256: pin } : {}) })) report(t, f, t.spec.certificate);
      }));
    }
  }
  await Promise.all(jobs);
  for (const env of state.environments) {
    for (const c of env.certificates) c.hosts = servedHosts(c);
    out.push(...duplicateContent(env), ...checkServedHosts(env), ...checkJwkSources(env));
  }
  return out;
}

/**
 * An expiring certificate, said with the alert window it is inside and the source to renew: a file is named,
 * so that the warning (and the plan, which carries it) says which file to replace.
 */
function expiringWords(f: Finding, source: CertificateSource | undefined, alerts: Alerts): { message: string; hint: string } {
  const window = f.severity === "error" ? `alerts.criticalBefore ${alerts.criticalBefore}` : `alerts.warnBefore ${alerts.warnBefore}`;
  const message = `${f.message}, inside ${window}`;
  if (source && "file" in source) return { message: `${message}; replace the file ${source.file}`, hint: `put the renewed certificate in ${source.file}${f.severity === "error" ? " now" : " before it expires"}` };
  if (source && "pkcs12" in source) return { message: `${message}; replace the file ${source.pkcs12}`, hint: `put the renewed certificate and key in ${source.pkcs12}${f.severity === "error" ? " now" : " before it expires"}` };
  if (source && "url" in source) return { message: `${message}; ${source.url} presents it`, hint: "renew the certificate that server presents, then update sha256 if it is pinned" };
  return { message, hint: "renew the certificate and put the new one in the stack" };
}

function internalFinding(err: unknown): Finding {
  return {
    severity: "error",
    code: "internal",
    message: `certform failed while checking this resource: ${err instanceof Error ? err.message : String(err)}`,
    hint: "this is a bug in certform; please report it with the file that caused it (the other resources were checked)",
    field: ["certificate"],
  };
}
