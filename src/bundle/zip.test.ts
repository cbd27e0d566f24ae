import { deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, UnsafeBundleError } from "./limits.js";
import { readZip } from "./zip-read.js";
import { writeZip } from "./zip-write.js";
import { rawZip } from "../../test/support/raw-zip.js";

const small = { ...DEFAULT_LIMITS, maxEntryBytes: 1024, maxTotalBytes: 2048 };

describe("ZIP writing and reading", () => {
  it("writes the same bytes for the same files, and reads them back", async () => {
    const files: [string, Buffer][] = [["manifest.json", Buffer.from("{}\n")], ["certificates/api.pem", Buffer.from("x".repeat(5000))]];
    const a = await writeZip(files);
    await new Promise((r) => setTimeout(r, 1100));
    const b = await writeZip(files);
    expect(a.equals(b)).toBe(true);
    expect([...readZip(a, DEFAULT_LIMITS)]).toEqual(files);
  });

  const refused = (zip: Buffer, code: string, limits = DEFAULT_LIMITS) => {
    try {
      readZip(zip, limits);
    } catch (err) {
      expect(err).toBeInstanceOf(UnsafeBundleError);
      expect((err as UnsafeBundleError).code).toBe(code);
      return (err as Error).message;
    }
    throw new Error("not refused");
  };

  it("refuses zip slip, absolute paths, backslashes and links", () => {
    expect(refused(rawZip([{ name: "../evil.sh", data: Buffer.from("x") }]), "unsafe-path")).toContain("../evil.sh");
    expect(refused(rawZip([{ name: "a/../../evil", data: Buffer.from("x") }]), "unsafe-path")).toContain("zip slip");
    expect(refused(rawZip([{ name: "/etc/passwd", data: Buffer.from("x") }]), "unsafe-path")).toContain("absolute");
    expect(refused(rawZip([{ name: "C:/x", data: Buffer.from("x") }]), "unsafe-path")).toContain("absolute");
    expect(refused(rawZip([{ name: "..\\x", data: Buffer.from("x") }]), "unsafe-path")).toContain("backslash");
    expect(refused(rawZip([{ name: "link", data: Buffer.from("/etc/passwd"), mode: 0o120777 }]), "link")).toContain("symbolic link");
  });

  it("refuses an entry bigger than the limit, whether its header says so or lies", () => {
    const big = Buffer.alloc(4096);
    expect(refused(rawZip([{ name: "big", data: big }]), "oversize", small)).toContain("more than 1024 bytes");
    expect(refused(rawZip([{ name: "big", data: big, claimSize: 10 }]), "oversize", small)).toContain("big");
    expect(refused(rawZip([{ name: "a", data: Buffer.alloc(1000) }, { name: "b", data: Buffer.alloc(1000) }, { name: "c", data: Buffer.alloc(1000) }]), "oversize", small)).toContain("more than 2048 bytes");
  });

  it("refuses damaged data", () => {
    const zip = rawZip([{ name: "a", data: Buffer.from("hello hello hello") }]);
    const at = zip.indexOf(deflateRawSync(Buffer.from("hello hello hello")));
    zip[at + 2] = zip[at + 2]! ^ 0xff;
    expect(() => readZip(zip, DEFAULT_LIMITS)).toThrow(UnsafeBundleError);
  });
});
