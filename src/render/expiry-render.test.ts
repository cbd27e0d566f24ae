import { describe, expect, it } from "vitest";
import type { ExpiryCertificate, ExpiryReport } from "../model/expiry-report.js";
import { renderExpiryMarkdown } from "./expiry-markdown.js";
import { renderExpiryText } from "./expiry-text.js";
import { palette } from "./palette.js";

const row = (name: string, status: ExpiryCertificate["status"], daysLeft: number): ExpiryCertificate => ({
  environment: "prod",
  node: "http://127.0.0.1:8091",
  nodes: ["http://127.0.0.1:8091"],
  kind: "certificates",
  name,
  alias: null,
  hosts: [`${name}.example.com`],
  notBefore: "2026-01-01T00:00:00.000Z",
  notAfter: new Date(Date.parse("2026-06-01T00:00:00Z") + daysLeft * 86_400_000).toISOString(),
  daysLeft,
  status,
  fingerprint256: null,
  owner: "payments",
  address: `certificates.${name}[prod]`,
  generated: false,
});

const report = (certificates: ExpiryCertificate[]): ExpiryReport => ({
  format_version: "1",
  stack: "payments",
  generated_at: "2026-06-01T00:00:00.000Z",
  alerts: { warnBefore: "30d", criticalBefore: "7d" },
  within: "30d",
  filtered: false,
  environments: [{ name: "prod", nodes: ["http://127.0.0.1:8091"] }],
  certificates,
  inside: certificates.filter((c) => c.daysLeft <= 30).length,
  problems: [],
});

describe("expiry renderers", () => {
  it("text colours a row by urgency: red when expired or critical, yellow when warning, plain otherwise", () => {
    const out = renderExpiryText(report([row("gone", "Expired", -2), row("soon", "Critical", 3), row("mid", "Warning", 20), row("far", "Active", 200)]), palette(true));
    const line = (name: string) => out.split("\n").find((l) => l.includes(` ${name} `) || l.includes(`${name}.example.com`))!;
    expect(line("gone")).toMatch(/^\u001b\[31mExpired/);
    expect(line("soon")).toMatch(/^\u001b\[31mCritical/);
    expect(line("mid")).toMatch(/^\u001b\[33mWarning/);
    expect(line("far")).toMatch(/^Active/);
    const plain = renderExpiryText(report([row("soon", "Critical", 3)]), palette(false));
    expect(plain).not.toContain("\u001b[");
  });

  it("markdown keeps names that would break the table or the gantt chart inert", () => {
    const odd = { ...row("x", "Critical", 3), name: "a|b:c#d", alias: "z`y" };
    const out = renderExpiryMarkdown(report([odd]));
    const chart = /```mermaid\n([\s\S]*?)```/.exec(out)![1]!;
    const task = chart.split("\n").find((l) => l.includes(":crit"))!;
    expect(task.split(":")).toHaveLength(2);
    expect(task).not.toMatch(/#/);
    expect(out).toContain("a\\|b:c#d");
  });
});
