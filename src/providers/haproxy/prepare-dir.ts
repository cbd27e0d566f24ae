import { access, mkdir, readFile } from "node:fs/promises";
import { certificatesToPem, generateServerCertificate } from "../../x509/index.js";
import { writeAtomically } from "./files.js";
import type { Layout } from "./layout.js";

// The files the generated configuration loads must exist before HAProxy starts; these are made once and
// never overwritten (the crt-list and CA files hold what apply wrote).

const exists = (file: string) => access(file).then(() => true, () => false);

/** Creates what is missing; resolves with the files it created. */
export async function prepareDir(layout: Layout, endpoints: readonly string[]): Promise<string[]> {
  const created: string[] = [];
  await mkdir(layout.dir, { recursive: true, mode: 0o700 });
  const ensure = async (file: string, make: () => Promise<string>) => {
    if (await exists(file)) return;
    await writeAtomically(file, await make());
    created.push(file);
  };
  await ensure(layout.crtList, async () => "");
  // Its key is dropped at once: the placeholder keeps CA files non-empty and can vouch for nothing.
  const placeholder = async () => certificatesToPem((await generateServerCertificate({ hosts: ["certform-placeholder.invalid"], keyType: "ec-p256", validityDays: 3650 })).chain);
  await ensure(layout.placeholderCa, placeholder);
  await ensure(layout.clientCert, async () => {
    const made = await generateServerCertificate({ hosts: ["certform-client.invalid"], keyType: "ec-p256", validityDays: 3650 });
    return `${certificatesToPem(made.chain)}${made.key.export({ type: "pkcs8", format: "pem" }).toString()}`;
  });
  for (const endpoint of endpoints) {
    const file = layout.caFile(endpoint);
    await ensure(file, () => readFile(layout.placeholderCa, "utf8"));
  }
  return created;
}
