// The machine a run measured, for the results file and the docs: the same figures mean little elsewhere.
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem, type as osType } from "node:os";

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  os: string;
  kernel: string;
  node: string;
  terraform: string | null;
  /** 1-minute load average at the start and end: the machine may be shared, which makes figures noisy. */
  loadAverageAtStart: number;
  loadAverageAtEnd?: number;
}

function osName(): string {
  const file = "/etc/os-release";
  if (existsSync(file)) {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync(file, "utf8"));
    if (m) return m[1]!;
  }
  return osType();
}

export function describeMachine(terraform: string | null): Machine {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memoryBytes: totalmem(),
    os: osName(),
    kernel: `${osType()} ${release()}`,
    node: process.version,
    terraform,
    loadAverageAtStart: Number(loadavg()[0]!.toFixed(2)),
  };
}

export const machineLine = (m: Machine) =>
  `${m.cores} × ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${m.os}, Node ${m.node}${m.terraform ? `, Terraform ${m.terraform}` : ", no Terraform"}; load average ${m.loadAverageAtStart}${m.loadAverageAtEnd !== undefined ? ` at the start, ${m.loadAverageAtEnd} at the end` : ""}`;
