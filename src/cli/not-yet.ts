import type { Command } from "commander";
import { EXIT, type ExitCode } from "./exit-codes.js";

// Commands of the contract that later issues deliver; they say so plainly instead of being unknown.
const PLANNED: [string, string][] = [
  ["haproxy", "the HAProxy configuration fragment for an environment"],
];

export function registerNotYet(program: Command, setExit: (code: ExitCode) => void): void {
  for (const [name, description] of PLANNED) {
    program
      .command(name)
      .description(`${description} (not yet available)`)
      .allowUnknownOption()
      .allowExcessArguments()
      .action(() => {
        const others = PLANNED.map(([n]) => n).filter((n) => n !== name);
        const nor = others.length === 0 ? "" : `, nor ${others.length === 1 ? "is" : "are"} ${others.join(" and ")}`;
        process.stderr.write(`certform ${name} is not available yet in this version${nor}; certform --help lists the commands there are.\n`);
        setExit(EXIT.error);
      });
  }
}
