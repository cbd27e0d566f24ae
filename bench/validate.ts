// Measures `validate` on a large stack beside the floor measured in the same run: reading the same files
// and parsing them with js-yaml and node:crypto's X509Certificate, with no checks at all.
// Run: npx tsx bench/validate.ts [certificates=300] [environments=3]
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { load } from "js-yaml";
import { readStack } from "../src/stack/index.js";
import { generateCertificate, certificatesToPem } from "../src/x509/index.js";

const count = Number(process.argv[2] ?? 300);
const envCount = Number(process.argv[3] ?? 3);
const dir = mkdtempSync(join(tmpdir(), "certform-bench-"));

const ca = await generateCertificate({ hosts: [], keyType: "ec-p256", isCA: true, subject: "CN=bench CA", validityDays: 3650 });
const files: string[] = [];
for (let i = 0; i < count; i++) {
  const { certificate } = await generateCertificate({ hosts: [`backend-${i}.example.com`], keyType: "ec-p256", issuer: ca, validityDays: 365 });
  const file = `backend-${i}.pem`;
  writeFileSync(join(dir, file), certificatesToPem(certificate));
  files.push(file);
}
const envs = Array.from({ length: envCount }, (_, i) => `env${i}`);
const stack = [
  "apiVersion: certform/v1",
  "kind: Stack",
  "name: bench",
  "environments:",
  ...envs.map((e, i) => `  ${e}: { gateway: { type: embedded, nodes: ["http://127.0.0.1:${9000 + i}"] } }`),
  "trustedCertificates:",
  ...files.map((f, i) => `  backend-${i}: { certificate: { file: ${f} } }`),
  "endpoints:",
  ...files.map((_, i) => `  backend-${i}: { url: "https://backend-${i}.\${environment}.internal:9443" }`),
  "trustAssignments:",
  ...files.map((_, i) => `  backend-${i}: { certificate: backend-${i}, endpoint: backend-${i} }`),
].join("\n");
writeFileSync(join(dir, "stack.yaml"), `${stack}\n`);

async function time(fn: () => Promise<unknown> | unknown, runs = 7): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const floor = await time(() => {
  load(readFileSync(join(dir, "stack.yaml"), "utf8"));
  for (const f of files) new X509Certificate(readFileSync(join(dir, f))).fingerprint256;
});
const validate = await time(async () => {
  const r = await readStack([join(dir, "stack.yaml")], { capture: false });
  if (r.diagnostics.some((d) => d.severity === "error")) throw new Error(r.diagnostics[0]!.message);
});
const instances = count * 3 * envCount;
console.log(`stack: ${count} trusted certificates, ${count} endpoints, ${count} trust assignments × ${envCount} environments = ${instances} instances`);
console.log(`floor    (read + js-yaml load + X509Certificate parse, no checks): ${floor.toFixed(1)} ms`);
console.log(`validate (load with positions, schema, interpolation, read, all checks): ${validate.toFixed(1)} ms  (${(validate / floor).toFixed(1)}× the floor, ${((validate * 1000) / instances).toFixed(0)} µs per instance)`);
