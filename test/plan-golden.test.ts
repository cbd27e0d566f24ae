// Golden cases for the planner: a stack and a gateway state in, the plan and its renderings out, compared
// with committed files. Certificates are the public ones committed under examples/ (no key anywhere);
// the clock is fixed and the node's random port is written as node-1. UPDATE_GOLDEN=1 rewrites the files.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../src/model/plan.js";
import { planPaths } from "../src/plan/index.js";
import { renderPlanJson } from "../src/render/plan-json.js";
import { renderPlanMarkdown } from "../src/render/plan-markdown.js";
import { renderPlanText } from "../src/render/plan-text.js";
import { palette } from "../src/render/palette.js";
import { REPO } from "./support/cli.js";
import { writePlan } from "./support/apply-ops.js";
import { startGateway, type GatewayProcess } from "./support/gateway.js";
import { writeStackDir } from "./support/stack.js";

const NOW = new Date("2026-11-24T12:00:00.000Z");
const CERTS = join(REPO, "examples", "multi-env", "certs");
const GOLDEN = join(REPO, "test", "fixtures", "plan");

const FULL = `trustedCertificates:
  ledger-ca: { certificate: { file: certs/ledger-ca.pem } }
  partner-ca: { alias: partners, certificate: { file: certs/partner-ca.pem } }
endpoints:
  ledger: { url: "https://ledger.internal:9443" }
  partner-api: { url: "https://partners.internal:8443", path: /partners }
trustAssignments:
  ledger-backend: { certificate: ledger-ca, endpoint: ledger }
  partners-everywhere: { certificate: partner-ca, scope: environment }
jwks:
  ledger-signing: { certificate: ledger-ca, use: sig }
`;

// The same estate a release later: the ledger CA is rotated (its JWK follows), the partner API moves,
// the environment-wide trust goes, and the ledger endpoint now trusts nothing else.
const CHANGED = FULL.replace("certs/ledger-ca.pem", "certs/corp-root-ca.pem")
  .replace("https://partners.internal:8443", "https://partners-v2.internal:8443")
  .replace("  partners-everywhere: { certificate: partner-ca, scope: environment }\n", "");

const CASES: { name: string; setup?: string; target: string }[] = [
  { name: "create-everything", target: FULL },
  { name: "no-changes", setup: FULL, target: FULL },
  { name: "rotate-move-remove", setup: FULL, target: CHANGED },
];

let gw: GatewayProcess | undefined;
afterAll(() => gw?.stop());

function stackDir(body: string, admin: string): string {
  const dir = writeStackDir({ "stack.yaml": `apiVersion: certform/v1\nkind: Stack\nname: golden\nenvironments:\n  prod: { gateway: { type: embedded, nodes: ["${admin}"] } }\n${body}` });
  mkdirSync(join(dir, "certs"));
  for (const f of ["ledger-ca.pem", "partner-ca.pem", "corp-root-ca.pem"]) copyFileSync(join(CERTS, f), join(dir, "certs", f));
  return dir;
}

async function planOf(body: string, admin: string): Promise<Plan> {
  const dir = stackDir(body, admin);
  // Backends are not contacted: their names do not resolve, and how they fail differs from machine to machine.
  const result = await planPaths([join(dir, "stack.yaml")], { prune: true, now: NOW, version: "0.0.0-golden", checkBackends: false });
  if ("failed" in result) throw new Error(JSON.stringify(result.failed));
  const plan = JSON.parse(JSON.stringify(result.plan).replaceAll(admin, "http://node-1:8081")) as Plan;
  plan.stack_paths = ["stack.yaml"];
  return plan;
}

function golden(file: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
    if (!process.env.UPDATE_GOLDEN) throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/plan-golden.test.ts`);
    mkdirSync(join(file, ".."), { recursive: true });
    writeFileSync(file, actual);
  }
  expect(actual).toBe(readFileSync(file, "utf8"));
}

describe("planner golden cases", () => {
  beforeAll(async () => {
    gw = await startGateway({ environment: "prod", node: "node-1" });
  });

  for (const c of CASES) {
    it(c.name, async () => {
      await gw!.stop();
      gw = await startGateway({ environment: "prod", node: "node-1" });
      if (c.setup) await writePlan(await planOf(c.setup, gw.admin).then((p) => JSON.parse(JSON.stringify(p).replaceAll("http://node-1:8081", gw!.admin))));
      const plan = await planOf(c.target, gw.admin);
      golden(join(GOLDEN, c.name, "plan.json"), renderPlanJson(plan));
      golden(join(GOLDEN, c.name, "plan.txt"), renderPlanText(plan, palette(false)));
      golden(join(GOLDEN, c.name, "plan.md"), renderPlanMarkdown(plan));
    });
  }
});
