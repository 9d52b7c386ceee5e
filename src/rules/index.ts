import type { Rule } from '../doctor/types.js';
import { addressRules } from './address-rules.js';
import { applicationRules } from './application.js';
import { CAUSE_RULES } from './causes.js';
import { contextRules } from './context.js';
import { firewallRules } from './firewall.js';
import { containerRules } from './forward-container.js';
import { forwardEndRules } from './forward-ends.js';
import { knownHolder } from './known-holder.js';
import { localhostResolution } from './localhost-resolution.js';
import { loopbackDown } from './loopback-down.js';
import { noAnswer } from './no-answer.js';
import { nothingListening } from './nothing-listening.js';
import { otherNetns } from './other-netns.js';
import { portExcluded } from './port-excluded.js';
import { portPolicy } from './port-policy.js';
import { processState } from './process-state.js';
import { configurationRules, logRules } from './project.js';
import { protocolMismatch } from './protocol-mismatch.js';
import { serverView } from './server-view.js';
import { tunnelForwardFailed } from './tunnel-forward-failed.js';
import { tunnelNotRunning } from './tunnel-not-running.js';

/**
 * Every rule, in "most likely cause first" order: findings of equal severity are reported in
 * this order, so the fix list starts with what explains the most.
 */
export const RULES: readonly Rule[] = [
  loopbackDown,
  otherNetns,
  containerRules,
  forwardEndRules,
  tunnelForwardFailed,
  tunnelNotRunning,
  firewallRules,
  ...CAUSE_RULES,
  processState,
  noAnswer,
  protocolMismatch,
  addressRules,
  localhostResolution,
  nothingListening,
  applicationRules,
  serverView,
  portExcluded,
  portPolicy,
  knownHolder,
  contextRules,
  configurationRules,
  logRules,
];

/** Every finding code the doctor can produce. Public contract: codes are never renamed. */
export const FINDING_CODES: readonly string[] = RULES.flatMap((rule) => rule.codes);
