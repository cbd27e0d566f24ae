import { randomBytes } from "node:crypto";
import { HEADER, stackText, stackCase, type StackCase } from "../case.js";
import type { Material } from "../material.js";

// Stack files that are not the YAML certform reads: syntax, features it refuses, files that are not text.

const GENERATED = 'certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n';
const only = (text: (m: Material) => string) => (m: Material) => ({ "stack.yaml": text(m) });

const bomb = (levels: number) => {
  let text = 'extra:\n  a0: &a0 ["x","x","x","x","x","x","x","x","x","x"]\n';
  for (let i = 1; i < levels; i++) text += `  a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(",")}]\n`;
  return text;
};

export const yamlCases: StackCase[] = [
  stackCase({
    id: "yaml-bad-indentation",
    title: "a mapping indented wrongly",
    files: only((m) => stackText(m, 'certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n   default: true\n')),
    expect: { code: "yaml-syntax", at: "default: true", message: "bad indentation of a mapping entry", hint: "fix the YAML syntax" },
  }),
  stackCase({
    id: "yaml-unclosed-flow",
    title: "a flow mapping never closed",
    files: only((m) => stackText(m, 'certificates:\n  api:\n    generate: { hosts: ["api.example.com"]\n')),
    expect: { code: "yaml-syntax", line: 12, column: 1, message: "YAML syntax error", hint: "fix the YAML syntax" },
  }),
  stackCase({
    id: "yaml-unclosed-quote",
    title: "a quoted string never closed",
    files: only((m) => stackText(m, 'certificates:\n  api:\n    generate: { hosts: ["api.example.com] }\n')),
    expect: { code: "yaml-syntax", line: 12, column: 1, message: "YAML syntax error", hint: "fix the YAML syntax" },
  }),
  stackCase({
    id: "yaml-tab-indentation",
    title: "a tab used for indentation",
    files: only((m) => stackText(m, "certificates:\n\tapi:\n\t\tgenerate: { hosts: [api.example.com] }\n")),
    expect: { code: "yaml-syntax", at: "\tapi", message: "tab characters must not be used in indentation", hint: "fix the YAML syntax" },
  }),
  stackCase({
    id: "yaml-duplicate-key",
    title: "the same key twice in one mapping",
    files: only((m) => stackText(m, 'certificates:\n  api:\n    generate: { hosts: ["api.example.com"] }\n    generate: { hosts: ["www.example.com"] }\n')),
    expect: { code: "duplicate-key", at: "generate:", nth: 2, message: 'duplicate key "generate": it is also at line 11, column 5', hint: "certform refuses to guess which" },
  }),
  stackCase({
    id: "yaml-two-documents",
    title: "two YAML documents in one file",
    files: only((m) => `${stackText(m, GENERATED)}---\n${HEADER}`),
    expect: { code: "yaml-multiple-documents", at: "---", message: "one YAML document", hint: "split the documents into separate files" },
  }),
  stackCase({
    id: "yaml-tag",
    title: "a YAML tag",
    files: only((m) => stackText(m, "certificates:\n  api:\n    generate: !!js/function { hosts: [api.example.com] }\n")),
    expect: { code: "yaml-tag", at: "!!js", message: "YAML tags such as !!js/function", hint: "remove the tag" },
  }),
  stackCase({
    id: "yaml-merge-key",
    title: "a YAML merge key",
    files: only((m) => stackText(m, 'certificates:\n  api: &base\n    generate: { hosts: ["api.example.com"] }\n  www:\n    <<: *base\n')),
    expect: { code: "yaml-merge-key", at: "<<", message: "merge keys (<<) are not supported", hint: "${var:…}" },
  }),
  stackCase({
    id: "yaml-alias-bomb",
    title: "a billion laughs: aliases that expand to 10^9 nodes",
    files: only((m) => stackText(m, bomb(9))),
    expect: { code: "yaml-too-large", at: "a3,*a3]", message: "expands to more than 100000 nodes", hint: "instead of nesting aliases" },
  }),
  stackCase({
    id: "yaml-too-many-aliases",
    title: "more aliases than any stack needs",
    files: only((m) => stackText(m, `variables:\n  h: &hostname { default: api.example.com }\nextra: [${Array(150).fill("*hostname").join(", ")}]\n`)),
    // At the name of the 101st alias (the first "hostname" is the anchor's).
    expect: { code: "yaml-too-many-aliases", at: "hostname", nth: 102, message: "more than 100 aliases", hint: "write the values out" },
  }),
  stackCase({
    id: "yaml-complex-key",
    title: "a mapping used as a key",
    files: only((m) => stackText(m, "certificates:\n  ? { a: 1 }\n  : { generate: { hosts: [api.example.com] } }\n")),
    expect: { code: "yaml-complex-key", at: "{ a: 1 }", message: "a mapping key must be plain text", hint: "a plain scalar" },
  }),
  stackCase({
    id: "stack-file-empty",
    title: "an empty stack file",
    files: () => ({ "stack.yaml": "" }),
    expect: { code: "empty-file", line: 1, column: 1, message: "holds no YAML document", hint: "write a stack" },
  }),
  stackCase({
    id: "stack-file-a-list",
    title: "a stack file holding a list",
    files: () => ({ "stack.yaml": "- apiVersion: certform/v1\n- kind: Stack\n" }),
    expect: { code: "wrong-type", line: 1, column: 1, message: "must be a mapping, not a list", hint: "as a mapping" },
  }),
  stackCase({
    id: "stack-file-binary",
    title: "binary junk named stack.yaml",
    files: () => ({ "stack.yaml": Buffer.concat([Buffer.from("apiVersion: certform/v1\n"), randomBytes(512), Buffer.from([0])]) }),
    expect: { code: "binary-file", line: 1, column: 1, message: "not a text file (it has NUL bytes)", hint: "a stack is YAML text" },
  }),
  stackCase({
    id: "stack-file-50mb",
    title: "a 50 MB stack file",
    files: (m) => ({ "stack.yaml": `${stackText(m, GENERATED)}${`# ${"x".repeat(1020)}\n`.repeat(50 * 1024)}` }),
    expect: { code: "file-too-large", line: 1, column: 1, message: "a stack file is at most 16 MiB", hint: "split a very large stack" },
  }),
];
