// The floor for reading an estate: what any tool must do at least, with node:crypto and nothing else —
// read every chain and key file, parse the certificates, and check that each key matches its leaf.
// Run: npx tsx bench/floor.ts DIR COUNT   (DIR as written by bench/scale-fixture.ts)
import { createPrivateKey, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [dir, countArg] = process.argv.slice(2);
const count = Number(countArg);
const BEGIN = "-----BEGIN CERTIFICATE-----";
let checked = 0;
for (let i = 0; i < count; i++) {
  const chain = readFileSync(join(dir!, `certs/c${i}.pem`), "utf8");
  const pems = chain.split(BEGIN).slice(1).map((p) => BEGIN + p);
  const certs = pems.map((p) => new X509Certificate(p));
  const key = createPrivateKey(readFileSync(join(dir!, `certs/c${i}.key`)));
  if (certs[0]!.checkPrivateKey(key)) checked++;
}
if (checked !== count) throw new Error(`${count - checked} keys did not match`);
console.log(JSON.stringify({ checked }));
