import type { Construct } from "constructs";
import type { AlertsSchema, PolicySchema, VariableSchema } from "../model/index.js";
import { DECLARATION, currentSession, type Declaration } from "../stack/typescript/brand.js";
import { captureSite } from "../stack/typescript/site.js";
import { CdktfApp, TerraformStack, type AppConfig } from "./cdktf.js";
import type { Input } from "./resources.js";
import { mirrorInTerraform } from "./terraform.js";

export interface CertformStackProps {
  description?: string;
  /** Values that may differ per environment, used as ${var:NAME}. */
  variables?: Readonly<Record<string, Input<typeof VariableSchema>>>;
  /** Expiry alert windows. */
  alerts?: Input<typeof AlertsSchema>;
  /** Named policy rules the stack must follow (docs/stack-format.md, "Policies"), checked at validate and plan. */
  policies?: Readonly<Record<string, Input<typeof PolicySchema>>>;
  /**
   * The directory that relative file sources (`{ file: … }`, `{ pkcs12: … }`) start from; default: the
   * directory of the .ts file that creates this stack.
   */
  baseDir?: string;
}

/**
 * A certform stack: a cdktf TerraformStack whose id is the stack's name. certform reads the certform
 * constructs under it and nothing else, so it can share an App with other Terraform stacks.
 */
export class CertformStack extends TerraformStack {
  readonly [DECLARATION]: Declaration;
  /** The stack's name: certform only ever changes gateway objects owned by this stack. */
  readonly name: string;
  readonly props: CertformStackProps;

  constructor(scope: Construct, name: string, props: CertformStackProps = {}) {
    super(scope, name);
    this.name = name;
    this.props = props;
    const site = captureSite();
    this[DECLARATION] = { kind: "stack", name, props: props as Record<string, unknown>, ...(site ? { site } : {}) };
    currentSession()?.stacks.push(this);
  }

  /** Called by App.synth() once every construct exists: adds what the stack synthesizes to, before cdktf's default backend. */
  override prepareStack(): void {
    mirrorInTerraform(this);
    super.prepareStack();
  }
}

/**
 * A cdktf App whose `synth()` waits while certform itself reads the file (validate, plan, apply), so a
 * stack file can end with `app.synth()` as every cdktf program does.
 */
export class App extends CdktfApp {
  constructor(config?: AppConfig) {
    super(config);
  }

  override synth(): void {
    if (currentSession()?.holdSynth) return;
    super.synth();
  }
}
