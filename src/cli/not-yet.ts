import type { Command } from "commander";
import { EXIT, type ExitCode } from "./exit-codes.js";

// Commands of the contract that later issues deliver; they say so plainly instead of being unknown.
const PLANNED: [string, string][] = [
  ["expiry", "certificates on the gateways that expire soon"],
  ["renew", "renew a generated certificate now"],
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
        process.stderr.write(`certform ${name} is not available yet in this version, nor is ${others.join(" or ")}; certform --help lists the commands there are.\n`);
        setExit(EXIT.error);
      });
  }
}
