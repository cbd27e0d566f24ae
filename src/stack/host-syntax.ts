import { isIP } from "node:net";

const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** Why `host` is not a DNS name (wildcard only as the whole left-most label) or IP address; undefined when it is. */
export function hostSyntaxProblem(host: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/.test(host)) return "it holds a control character";
  if (/\s/.test(host)) return "it holds white space";
  if (isIP(host)) return undefined;
  if (host.length > 253) return "it is longer than 253 characters";
  const labels = host.split(".");
  for (const [i, label] of labels.entries()) {
    if (label === "*" && i === 0 && labels.length > 2) continue;
    if (label.includes("*")) return "a wildcard must be the whole left-most label of at least three, e.g. *.example.com";
    if (!LABEL.test(label)) return `"${label}" is not a valid DNS label`;
  }
  return undefined;
}
