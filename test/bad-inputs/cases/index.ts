import type { BadInput } from "../case.js";
import { bundleCases } from "./bundles.js";
import { certificateFileCases } from "./certificate-files.js";
import { chainAndHostCases } from "./chains-and-hosts.js";
import { decoderCases } from "./decoders.js";
import { keyCases } from "./keys.js";
import { keystoreCases } from "./keystores.js";
import { stackModelCases } from "./stack-model.js";
import { urlSourceCases } from "./url-sources.js";
import { yamlCases } from "./yaml.js";

/** The catalogue by group, in the order it is reported. */
export const GROUPS: Record<string, BadInput[]> = {
  "certificate files": certificateFileCases,
  keys: keyCases,
  keystores: keystoreCases,
  "chains and hosts": chainAndHostCases,
  "url sources": urlSourceCases,
  yaml: yamlCases,
  "stack model": stackModelCases,
  bundles: bundleCases,
  decoders: decoderCases,
};

export const CASES: BadInput[] = Object.values(GROUPS).flat();
