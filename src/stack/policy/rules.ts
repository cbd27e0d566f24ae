import type { PolicyRule } from "../../model/index.js";
import type { RuleCheck } from "./finding.js";
import { checkHosts } from "./hosts.js";
import { checkIssuers } from "./issuers.js";
import { checkJwks } from "./jwks.js";
import { checkKeyTypes } from "./key-types.js";
import { checkMaxValidity } from "./max-validity.js";
import { checkMinDaysLeft } from "./min-days-left.js";
import { checkSignatureAlgorithms } from "./signature-algorithms.js";
import { checkTrust } from "./trust.js";
import { checkWildcards } from "./wildcards.js";

export const RULE_CHECKS: { [R in PolicyRule]: RuleCheck<R> } = {
  keyTypes: checkKeyTypes,
  maxValidity: checkMaxValidity,
  minDaysLeftAtDeploy: checkMinDaysLeft,
  issuers: checkIssuers,
  hosts: checkHosts,
  wildcards: checkWildcards,
  signatureAlgorithms: checkSignatureAlgorithms,
  trust: checkTrust,
  jwks: checkJwks,
};
