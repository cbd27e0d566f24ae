import { join, relative } from "node:path";
import type { Diagnostic } from "../../model/index.js";
import { terraformInstances } from "./terraform-instances.js";
import { StackError } from "../../model/index.js";
import { typeScriptEntry } from "./entry.js";
import { importStackFile, shown } from "./load.js";

export interface SynthesizedStack {
  name: string;
  /** The cdk.tf.json written, relative to the working directory. */
  file: string;
  /** null_resource count: one per resource instance. */
  resources: number;
}

export interface SynthResult {
  stacks: SynthesizedStack[];
  diagnostics: Diagnostic[];
}

type SynthRoot = { synth?: () => void; outdir?: string };

/**
 * `certform synth`: runs the stack file, checks every certform stack in it as validate would (without reading
 * material or contacting anything), then synthesizes its cdktf App(s): cdktf.out/stacks/<name>/cdk.tf.json.
 */
export async function synthTypeScriptStack(given: string): Promise<SynthResult> {
  const fail = (d: Omit<Diagnostic, "severity">): SynthResult => ({ stacks: [], diagnostics: [{ severity: "error", ...d }] });
  let entry;
  try {
    entry = typeScriptEntry([given]);
  } catch (err) {
    if (err instanceof StackError) return { stacks: [], diagnostics: err.diagnostics };
    throw err;
  }
  if (!entry) {
    return fail({ code: "not-typescript", file: given, line: 1, column: 1, message: `${given} is not a TypeScript stack`, hint: "give a .ts stack file, a directory with a main.ts, or a directory with a cdktf.json; YAML stacks have nothing to synthesize" });
  }
  const { stacks, diagnostics } = await importStackFile(entry.file, { forSynth: true });
  if (diagnostics.length > 0) return { stacks: [], diagnostics };
  if (stacks.length === 0) {
    return fail({ code: "no-certform-stack", file: shown(entry.file), line: 1, column: 1, message: `${shown(entry.file)} creates no CertformStack`, hint: 'create one: new CertformStack(app, "payments", { … })' });
  }
  const out: Diagnostic[] = [];
  const counts = stacks.map((stack) => {
    const { instances, diagnostics: found } = terraformInstances(stack);
    out.push(...found);
    return instances.length;
  });
  if (out.some((d) => d.severity === "error")) return { stacks: [], diagnostics: out };

  const roots = [...new Set(stacks.map((s) => (s.node as unknown as { root: SynthRoot }).root))];
  for (const root of roots) {
    if (typeof root.synth !== "function") {
      return fail({ code: "no-cdktf-app", file: shown(entry.file), line: 1, column: 1, message: "the CertformStack is not in a cdktf App", hint: "create it in an App: new CertformStack(new App(), \"payments\", { … })" });
    }
    root.synth();
  }
  return {
    stacks: stacks.map((s, i) => {
      const outdir = (s.node as unknown as { root: SynthRoot }).root.outdir ?? "cdktf.out";
      return { name: s.node.id, file: relative(process.cwd(), join(outdir, "stacks", s.node.id, "cdk.tf.json")), resources: counts[i]! };
    }),
    diagnostics: out,
  };
}
