import { Option, type Command } from "commander";
import { jsonText } from "../model/control-chars.js";
import { palette, type Palette } from "../render/palette.js";

export type Format = "text" | "json" | "markdown";

export interface CommonOptions {
  format: Format;
  color: boolean;
  env?: string[];
}

/** --format, --no-color and --env, as every command takes them. */
export function addCommonOptions(cmd: Command, formats: Format[] = ["text", "json"]): Command {
  return cmd
    .addOption(new Option("--format <format>", "output format").choices(formats).default("text"))
    .option("--no-color", "plain output (also when NO_COLOR is set or stdout is not a terminal)")
    .option("--env <name>", "limit to this environment (repeatable)", (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
}

export interface PolicyOptions {
  /** --policy FILE (repeatable): shared policies, checked with the stack's own. */
  policy?: string[];
}

/** --policy FILE, on the commands that read a stack to deploy or check it. */
export function addPolicyOption(cmd: Command): Command {
  return cmd.option("--policy <file>", "check the stack against the policies: in this YAML file too (repeatable)", (v: string, prev: string[] | undefined) => [...(prev ?? []), v]);
}

export function colorsFor(opts: { color?: boolean }, stream: NodeJS.WriteStream = process.stdout): Palette {
  const enabled = opts.color !== false && !process.env.NO_COLOR && stream.isTTY === true;
  return palette(enabled);
}

/** Stack paths default to ./stacks (contract section 2). */
export function stackPaths(paths: string[]): string[] {
  return paths.length > 0 ? paths : ["stacks"];
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${jsonText(value)}\n`);
}
