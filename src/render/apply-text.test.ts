import { describe, expect, it } from "vitest";
import type { OperationOutcome } from "../model/apply-report.js";
import { ApplyReportSchema } from "../model/apply-report.js";
import { applyErrorJson, applyJson } from "./apply-json.js";
import type { ApplyOutcomeView } from "./apply-outcome.js";
import { applyProgressText, renderApplyErrorText, renderApplyText } from "./apply-text.js";
import { palette } from "./palette.js";

const plain = palette(false);
const put = (state: OperationOutcome["state"], address: string, error?: string): OperationOutcome => ({ environment: "prod", node: "http://n2", address, op: "put", collection: "endpoints", name: address.split(/[.[]/)[1]!, state, ...(error ? { error } : {}) });
const failed: ApplyOutcomeView = {
  kind: "applied",
  result: {
    ok: false,
    stack: "payments",
    summary: { created: 1, updated: 0, replaced: 0, deleted: 0 },
    operations: [put("applied", "endpoints.a[prod]"), put("failed", "endpoints.b[prod]", "path taken"), put("not-applied", "endpoints.c[prod]")],
    verification: [{ environment: "prod", node: "http://n1", address: "certificates.api[prod]", host: "api.example.com", code: "handshake-failed", message: "no handshake" }],
    error: "prod: node http://n2: path taken",
  },
};

describe("apply's views", () => {
  it("a failed apply lists every write by its state, then the verification problems", () => {
    expect(renderApplyText(failed, "apply", plain)).toBe(
      "\nApply failed: prod: node http://n2: path taken\n" +
        "Applied 1, failed 1, not applied 1 (of 3 writes). So far: 1 created, 0 updated, 0 replaced, 0 deleted.\n" +
        "  failed      put endpoints.b[prod] on http://n2: path taken\n" +
        "  not applied put endpoints.c[prod] on http://n2\n" +
        "  verify      prod node http://n1 host api.example.com: no handshake\n" +
        "A new plan shows what is left; apply again to converge.\n",
    );
  });

  it("thousands of writes left undone are summarised after the first twenty", () => {
    const many: ApplyOutcomeView = { ...failed, result: { ...failed.result, operations: [put("failed", "endpoints.b[prod]", "path taken"), ...Array.from({ length: 25 }, (_, i) => put("not-applied", `endpoints.e${i}[prod]`))] } } as ApplyOutcomeView;
    const text = renderApplyText(many, "apply", plain);
    expect(text.match(/not applied put/g)).toHaveLength(20);
    expect(text).toContain("  not applied put endpoints.e19[prod] on http://n2\n  … and 5 more not applied (--format json lists every one)\n");
  });

  it("a stale plan and a held lock are diagnostic lines with a hint; colour only styles them", () => {
    expect(renderApplyText({ kind: "stale", reasons: ["prod: node n1 is at revision 4, the plan was made at 3"] }, "apply", plain)).toBe(
      "error[stale-plan] the plan is stale and was not applied:\n  - prod: node n1 is at revision 4, the plan was made at 3\n  hint: make a new plan\n",
    );
    const locked = { kind: "locked", message: "prod is locked by alice", environment: "prod", holder: "alice", since: "t" } as const;
    expect(renderApplyErrorText(locked, palette(true))).toBe("\u001b[31merror[locked]\u001b[39m prod is locked by alice\n  \u001b[2mhint:\u001b[22m wait for it to finish, or if it was killed: certform force-unlock prod\n");
    expect(ApplyReportSchema.parse(applyErrorJson(locked))).toEqual({ ok: false, error: { code: "locked", message: "prod is locked by alice", holder: "alice", since: "t" } });
  });

  it("no changes: verified, or what does not serve; the JSON is an ApplyResult either way", () => {
    const clean: ApplyOutcomeView = { kind: "no-changes", plan: { stack: "payments", environments: [] }, verification: [] };
    expect(renderApplyText(clean, "apply", plain)).toBe("No changes. The gateways match the stack.\n");
    const bad: ApplyOutcomeView = { kind: "no-changes", plan: { stack: "payments", environments: [] }, verification: failed.result.verification };
    expect(renderApplyText(bad, "apply", plain)).toContain("No changes to write, but verification failed: 1 problem.\n  verify      prod node http://n1 host api.example.com: no handshake\n");
    expect(ApplyReportSchema.parse(applyJson(bad))).toMatchObject({ ok: false, operations: [], error: "verification failed: no handshake" });
  });

  it("progress: one line per write without a terminal, one rewritten line per environment on one", () => {
    const events = [{ type: "environment", environment: "prod", total: 2 }, { type: "operation", outcome: put("applied", "endpoints.a[prod]"), done: 1, total: 2 }, { type: "operation", outcome: put("failed", "endpoints.b[prod]"), done: 2, total: 2 }, { type: "verify", environment: "prod", problems: 0 }] as const;
    const lines = applyProgressText(plain, false);
    expect(events.map(lines).join("")).toBe("prod: 2 writes\nprod: [1/2] put endpoints.a[prod] (endpoints/a) on http://n2\nprod: [2/2] put failed endpoints.b[prod] (endpoints/b) on http://n2\nprod: verified over TLS on every node\n");
    const live = applyProgressText(plain, true);
    expect(events.map(live).join("")).toBe("prod: 2 writes\n\r\u001b[2Kprod: [1/2] put endpoints.a[prod] (endpoints/a) on http://n2\r\u001b[2Kprod: [2/2] put failed endpoints.b[prod] (endpoints/b) on http://n2\nprod: verified over TLS on every node\n");
  });
});
