import { readFileSync, statSync } from "node:fs";
import { MANIFEST, verifyBundle } from "./bundle-file.js";
import { jsonBundle, looksLikeBundleSet, readBundleSet, type CertformBundle } from "./certform-bundles.js";
import { readDirectory } from "./dir-read.js";
import { ImportError } from "./import-model.js";
import { UnsafeBundleError, type ReadLimits } from "./limits.js";
import { isZip, readZip } from "./zip-read.js";

export const INPUT_FORMATS = ["certform", "wso2-apictl", "apinizer"] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

export type OpenedInput =
  | { format: "certform"; bundles: CertformBundle[] }
  | { format: "wso2-apictl" | "apinizer"; files: Map<string, Buffer> };

const WSO2_MARKERS = /(^|\/)(Endpoint-certificates\/endpoint_certificates|Client-certificates\/client_certificates|Meta-information\/(endpoint|client)_certificates|(Meta-information\/)?api)\.(ya?ml|json)$/;
const CERT_FILE = /\.(cer|crt|der|pem)$/i;

/**
 * Reads an import's input (a ZIP, a JSON bundle or a directory), checks every entry (paths, links, sizes)
 * and, for a certform bundle, every checksum, then tells the format from the content. Nothing is written:
 * a bad entry anywhere refuses the whole input.
 */
export function openInput(path: string, limits: ReadLimits, forced?: InputFormat): OpenedInput {
  let files: Map<string, Buffer>;
  let jsonManifest: string | undefined;
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new ImportError(`${path} does not exist`, "not-found", "give the path of a bundle (ZIP or JSON) or of an exported directory");
  if (st.isDirectory()) files = readDirectory(path, limits);
  else {
    if (st.size > limits.maxInputBytes) throw new UnsafeBundleError(`${path} is larger than ${Math.round(limits.maxInputBytes / 1024 / 1024)} MiB; nothing was written`, "oversize", path);
    const data = readFileSync(path);
    if (isZip(data)) files = readZip(data, limits);
    else {
      const json = jsonBundle(data, limits);
      if (!json) throw new ImportError(`${path} is neither a ZIP, a JSON bundle nor a directory`, "not-a-bundle", "give a bundle written by certform export, a WSO2 apictl export or an Apinizer certificate export");
      ({ files, manifest: jsonManifest } = json);
    }
  }
  const format = forced ?? detect(files, jsonManifest !== undefined);
  if (format === "certform") {
    const manifestText = jsonManifest ?? files.get(MANIFEST)?.toString("utf8");
    if (manifestText !== undefined) return { format, bundles: [{ label: "", manifest: verifyBundle(manifestText, files), files }] };
    if (!looksLikeBundleSet([...files.keys()])) throw new ImportError(`no ${MANIFEST} in ${path}: not a certform bundle`, "not-a-bundle", "drop --from certform, or give a bundle written by certform export (or a directory or ZIP of such bundles, one per environment)");
    return { format, bundles: readBundleSet(files, limits) };
  }
  return { format, files };
}

function detect(files: ReadonlyMap<string, Buffer>, json: boolean): InputFormat {
  if (json || files.has(MANIFEST)) return "certform";
  const paths = [...files.keys()];
  if (looksLikeBundleSet(paths)) return "certform";
  if (paths.some((p) => WSO2_MARKERS.test(p))) return "wso2-apictl";
  if (paths.length > 0 && paths.every((p) => CERT_FILE.test(p))) return "apinizer";
  throw new ImportError(
    `the input is not a format import knows (${paths.length} files, e.g. ${paths.slice(0, 3).join(", ") || "none"})`,
    "unknown-format",
    "import reads certform bundles, WSO2 apictl API or project exports and Apinizer certificate exports; --from forces one",
  );
}
