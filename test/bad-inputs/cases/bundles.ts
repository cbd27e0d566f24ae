import { createHash, randomBytes } from "node:crypto";
import { writeZip } from "../../../src/bundle/zip-write.js";
import { rawZip, type RawEntry } from "../../support/raw-zip.js";
import { bundleCase, type BundleCase } from "../case.js";

// Bundles for import: changed, unsafe to unpack, or not bundles at all. `real` is the dev gateway's
// export (manifest.json and its files), which each case changes.

const entriesOf = (real: Map<string, Buffer>): RawEntry[] => [...real].map(([name, data]) => ({ name, data }));
const firstPem = (real: Map<string, Buffer>) => [...real.keys()].find((k) => k.endsWith(".pem"))!;

export const bundleCases: BundleCase[] = [
  bundleCase({
    id: "bundle-bad-checksum",
    title: "a bundle whose certificate was changed after export",
    name: "changed.zip",
    bundle: async (m, real) => writeZip([...new Map(real).set(firstPem(real), Buffer.from(m.pki.root.pem))]),
    expect: { code: "checksum-mismatch", message: "does not match its SHA-256 checksum", hint: "never import a bundle that was changed" },
  }),
  bundleCase({
    id: "bundle-json-bad-checksum",
    title: "a JSON bundle whose certificate was changed after export",
    name: "changed.json",
    bundle: (m, real) => {
      const manifest = JSON.parse(real.get("manifest.json")!.toString());
      const contents = Object.fromEntries([...real].filter(([k]) => k !== "manifest.json").map(([k, v]) => [k, v.toString()]));
      contents[firstPem(real)] = m.pki.root.pem;
      return Buffer.from(JSON.stringify({ ...manifest, contents }));
    },
    expect: { code: "checksum-mismatch", message: "does not match its SHA-256 checksum", hint: "never import a bundle that was changed" },
  }),
  bundleCase({
    id: "bundle-zip-slip",
    title: "an entry whose path climbs out of the output directory",
    name: "slip.zip",
    bundle: (_m, real) => rawZip([...entriesOf(real), { name: "certificates/../../evil.txt", data: Buffer.from("pwned") }]),
    expect: { code: "unsafe-path", entry: "evil.txt", message: "zip slip", hint: "unsafe to unpack" },
  }),
  bundleCase({
    id: "bundle-absolute-path",
    title: "an entry with an absolute path",
    name: "absolute.zip",
    bundle: (_m, real) => rawZip([...entriesOf(real), { name: "/tmp/evil.txt", data: Buffer.from("pwned") }]),
    expect: { code: "unsafe-path", entry: "/tmp/evil.txt", message: "absolute path", hint: "unsafe to unpack" },
  }),
  bundleCase({
    id: "bundle-symlink",
    title: "an entry that is a symbolic link",
    name: "link.zip",
    bundle: (_m, real) => rawZip([...entriesOf(real), { name: "certificates/passwd.pem", data: Buffer.from("/etc/passwd"), mode: 0o120777 }]),
    expect: { code: "link", entry: "certificates/passwd.pem", message: "symbolic link", hint: "unsafe to unpack" },
  }),
  bundleCase({
    id: "bundle-zip-bomb",
    title: "a zip bomb: 17 KB of deflate that unpacks to 17 MB, past the 16 MiB an entry may hold",
    name: "bomb.zip",
    bundle: (_m, real) => rawZip([...entriesOf(real), { name: "certificates/bomb.pem", data: Buffer.alloc(17 * 1024 * 1024) }]),
    expect: { code: "oversize", entry: "certificates/bomb.pem", message: "unpacks to more than", hint: "unsafe to unpack" },
  }),
  bundleCase({
    id: "bundle-zip-bomb-lying",
    title: "a zip bomb whose header claims 100 bytes",
    name: "liar.zip",
    bundle: (_m, real) => rawZip([...entriesOf(real), { name: "certificates/liar.pem", data: Buffer.alloc(17 * 1024 * 1024), claimSize: 100 }]),
    expect: { code: "oversize", entry: "certificates/liar.pem", message: "unpacks to more than", hint: "unsafe to unpack" },
  }),
  bundleCase({
    id: "bundle-truncated",
    title: "a bundle cut off half-way through the download",
    name: "cut.zip",
    bundle: async (_m, real) => {
      const zip = await writeZip([...real]);
      return zip.subarray(0, zip.length >> 1);
    },
    expect: { code: "corrupt-zip", message: "no end of central directory (not a ZIP, or truncated)", hint: "unsafe to unpack" },
  }),
  bundleCase({
    id: "bundle-junk",
    title: "random bytes given as a bundle",
    name: "junk.zip",
    bundle: () => randomBytes(4096),
    expect: { code: "not-a-bundle", message: "is neither a ZIP, a JSON bundle nor a directory", hint: "a bundle written by certform export" },
  }),
  bundleCase({
    id: "bundle-entry-twice",
    title: "the same entry twice, the second one different",
    name: "twice.zip",
    bundle: (m, real) => rawZip([...entriesOf(real), { name: firstPem(real), data: Buffer.from(m.pki.root.pem) }]),
    expect: { code: "unsafe-path", message: "appears twice", hint: "unsafe to unpack" },
  }),
  bundleCase({
    id: "bundle-manifest-changed",
    title: "a manifest whose checksums were rewritten to match a swapped certificate, but whose objects were not",
    name: "resealed.zip",
    bundle: async (m, real) => {
      const files = new Map(real);
      files.set(firstPem(real), Buffer.from(m.other.pem));
      const manifest = JSON.parse(files.get("manifest.json")!.toString());
      manifest.files = manifest.files.map((f: { path: string }) => ({ ...f, sha256: createHash("sha256").update(files.get(f.path)!).digest("hex"), size: files.get(f.path)!.length }));
      files.set("manifest.json", Buffer.from(JSON.stringify(manifest)));
      return writeZip([...files]);
    },
    expect: { code: "fingerprint-mismatch", message: "but manifest.json describes", hint: "never import a bundle that was changed" },
  }),
];
