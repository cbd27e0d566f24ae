import { createHash, type KeyObject } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Plan } from "../model/plan.js";
import type { DesiredState } from "../stack/index.js";
import { decodePrivateKey, generateKeyPairFor } from "../x509/index.js";

/**
 * ACME account keys that the stack does not name live in .certform/acme/ beside the stack (gitignored, like
 * all local state): one per directory, made on first use and kept, so that every later order is placed by
 * the same account. Adds them to `keys` as "address|generate.acme.key", where apply looks for them.
 */
export async function addAcmeAccountKeys(plan: Plan, state: DesiredState, keys: Map<string, KeyObject>): Promise<void> {
  const byFile = new Map<string, Promise<KeyObject>>();
  for (const env of plan.environments) {
    for (const o of env.operations) {
      const acme = (o.body?.generate as { acme?: { directory: string } } | undefined)?.acme;
      if (o.op !== "put" || !acme || o.keyRef || o.copyFrom) continue;
      const inst = state.environments.flatMap((e) => e.certificates).find((c) => c.address === o.address);
      if (!inst) continue;
      // A stack that names its account key gets it through keyRef; never a different account from a file.
      if (inst.spec.generate?.acme?.key) throw new Error(`${o.address}: the plan does not reference the ACME account key the stack names: plan again`);
      const file = accountKeyFile(inst.origin.baseDir, acme.directory);
      if (!byFile.has(file)) byFile.set(file, loadOrCreate(file));
      keys.set(`${o.address}|generate.acme.key`, await byFile.get(file)!);
    }
  }
}

export function accountKeyFile(stackDir: string, directory: string): string {
  let host = "acme";
  try {
    host = new URL(directory).host.replace(/[^A-Za-z0-9.-]/g, "_");
  } catch {
    // The directory was checked when the stack was read; a name from its hash alone still works.
  }
  const hash = createHash("sha256").update(directory).digest("hex").slice(0, 12);
  return join(stackDir, ".certform", "acme", `${host}-${hash}.key`);
}

async function loadOrCreate(file: string): Promise<KeyObject> {
  try {
    return decodePrivateKey(await readFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw new Error(`the ACME account key ${file} cannot be read (${(err as Error).message}); remove it to register a new account`);
  }
  const key = await generateKeyPairFor("ec-p256");
  await mkdir(join(file, ".."), { recursive: true, mode: 0o700 });
  // wx: two applies creating the same account at once keep the first key.
  await writeFile(file, key.export({ type: "pkcs8", format: "pem" }), { mode: 0o600, flag: "wx" }).catch(async (err: NodeJS.ErrnoException) => {
    if (err.code !== "EEXIST") throw err;
  });
  return decodePrivateKey(await readFile(file));
}
