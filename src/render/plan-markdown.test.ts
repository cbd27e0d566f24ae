import { describe, expect, it } from "vitest";
import { loadPlanFixture, renderCases } from "../../test/fixtures/render/fixtures.js";
import type { Plan, ResourceChangeValue } from "../model/plan.js";
import { MARKDOWN_LIMIT, renderPlanMarkdown } from "./plan-markdown.js";

/** A plan of `n` changes spread over `envs` environments, cloned from the every-action case. */
function generatedPlan(n: number, envs = 2, warnings = 0): Plan {
  const base = loadPlanFixture("every-action");
  const templates = base.resource_changes.filter((c) => c.action !== "no-op");
  const names = Array.from({ length: envs }, (_, i) => (i === 0 ? "prod" : `region-${i}`));
  const changes: ResourceChangeValue[] = [];
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length]!;
    const environment = names[i % envs]!;
    const name = `${t.name}-${String(i).padStart(5, "0")}`;
    changes.push({ ...structuredClone(t), name, environment, address: `${t.kind}.${name}[${environment}]` });
  }
  const summary = { create: 0, update: 0, replace: 0, delete: 0, "no-op": 0 };
  for (const c of changes) summary[c.action]++;
  const warning = { address: "certificates.api[prod]", code: "expiring", message: "the certificate expires on 2025-12-08 (12 days left)" };
  return {
    ...base,
    summary,
    environments: names.map((name) => ({ ...base.environments[0]!, name, operations: [] })),
    resource_changes: changes,
    warnings: Array.from({ length: warnings }, () => warning),
  };
}

/** The markdown with its code spans taken out: what GitHub parses as markup and HTML. */
const outsideCode = (md: string) => md.replace(/(`+)(?!`)[\s\S]*?[^`]\1(?!`)/g, "CODE");
/** The cells of a table row, split where GitHub splits them: at pipes that are not escaped. */
const cellsOf = (row: string) => row.split(/(?<!\\)\|/).length - 2;
const tablesOf = (md: string) => md.split(/\n(?!\|)/).map((block) => block.split("\n").filter((l) => l.startsWith("|"))).filter((t) => t.length > 0);

describe("renderPlanMarkdown", () => {
  it("puts the summary table on top, then the warnings, then one collapsible section per environment", () => {
    const md = renderPlanMarkdown(loadPlanFixture("two-environments-drift"));
    const table = md.indexOf("| environment | create | update | replace | delete | unchanged |");
    expect(table).toBeGreaterThan(0);
    expect(md).toContain("| `dev` | 1 | 0 | 0 | 0 | 1 |\n| `prod` | 1 | 0 | 1 | 0 | 1 |\n| **total** | **2** | **0** | **1** | **0** | **2** |");
    expect(md.match(/<details><summary>/g)).toHaveLength(2);
    expect(md.match(/<\/details>/g)).toHaveLength(2);
    const warned = renderPlanMarkdown(loadPlanFixture("warnings"));
    const w = warned.indexOf("#### ⚠️ 4 warnings");
    expect(w).toBeGreaterThan(warned.indexOf("| **total** |"));
    expect(w).toBeLessThan(warned.indexOf("<details>"));
    expect(warned).toContain("- `trust-removed` `endpoints.billing[prod]`: endpoints.billing\\[prod\\] will reject its backend");
  });

  it("shows certificates as certificates, in code spans", () => {
    const md = renderPlanMarkdown(loadPlanFixture("every-action"));
    expect(md).toContain("**`-/+` `certificates.api[prod]`** must be replaced: certificate content changed");
    expect(md).toContain("| `+` | SAN | `DNS:www.example.com` |");
    expect(md).toContain("| `-` | SAN | `DNS:old-api.example.com` |");
    expect(md).toContain("| `~` | key type | `RSA 2048` → `EC P-256` |");
    expect(md).toMatch(/\| `~` \| fingerprint \| `62:C2:71:E7…EC:E9:64` → `35:A8:4B:53(:[0-9A-F]{2}){28}` \|/);
  });

  it("lets no value break the table, the markup or the HTML", () => {
    for (const name of renderCases()) {
      const md = renderPlanMarkdown(loadPlanFixture(name));
      const bare = outsideCode(md);
      expect(bare).not.toMatch(/<(?!\/?(details|summary|b)>)/); // no tag but ours
      expect(bare.match(/<details>/g)?.length).toBe(bare.match(/<\/details>/g)?.length);
      expect(tablesOf(md).length).toBeGreaterThan(0);
      for (const table of tablesOf(md)) for (const row of table) expect(cellsOf(row)).toBe(cellsOf(table[0]!));
    }
    const md = renderPlanMarkdown(loadPlanFixture("hostile-values"));
    expect(md).toContain("url changed &lt;/details&gt; &lt;script&gt;alert(1)&lt;/script&gt; \\| \\*\\*bold\\*\\*");
    expect(md).toContain('| `~` | labels.team | ``"ops `core` <team>\\|x"`` → ```"``ops`` \\| <b>platform</b>"``` |');
    expect(md).toContain("- `odd-label` `endpoints.legacy[prod]`: label team holds \\`backticks\\`, &lt;tags&gt; and \\| pipes");
  });

  it(`stays under ${MARKDOWN_LIMIT} characters for 5,000 changes, summarised per environment`, () => {
    const plan = generatedPlan(5000, 2, 30);
    const md = renderPlanMarkdown(plan);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).toContain("| **total** | **1,000** | **2,000** | **1,000** | **1,000** | **0** |");
    expect(md).toContain("**Plan: 1000 to create, 2000 to update, 1000 to replace, 1000 to delete.**");
    expect(md).toContain("#### ⚠️ 30 warnings");
    expect(md).toContain("too large for a comment");
    expect(md).toMatch(/- … and 2,[0-9]{3} more changes; run `certform plan` locally for all\n/);
    expect(md).toContain("- `+` `certificates.web-00000[prod]`");
    expect(md.match(/<details><summary>/g)).toHaveLength(2);
    expect(md).not.toMatch(/PRIVATE KEY|BEGIN CERTIFICATE/);
  });

  it("shows a plan in full while it fits", () => {
    const md = renderPlanMarkdown(generatedPlan(40));
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).not.toContain("too large for a comment");
    expect(md.match(/\| `~` \| fingerprint \|/g)).toHaveLength(8); // one in five changes is a replaced certificate
  });

  it("stays under the limit however large: many environments, many warnings", () => {
    const plan = generatedPlan(20_000, 400, 5000);
    const md = renderPlanMarkdown(plan);
    expect(md.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(md).toMatch(/more environments; run `certform plan` locally for all/);
    expect(md).toMatch(/more warnings; run `certform plan` locally for all/);
  });
});
