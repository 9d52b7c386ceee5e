import { configFindings } from '../config/findings.js';
import type { Rule } from '../doctor/types.js';
import { logErrorsFinding } from '../logs/finding.js';
import { listeners } from './helpers.js';

/** The project's configuration against what really listens (config-mismatch, config-docker-publish, config-localhost). */
export const configurationRules: Rule = {
  step: 'configuration',
  codes: ['config-mismatch', 'config-docker-publish', 'config-localhost'],
  evaluate(facts) {
    if (facts.config === null) return [];
    return configFindings(facts.config.scan, { targetPort: facts.target.port, listeners: [...listeners(facts, { current: true, protocol: 'any' }), ...(facts.projectListeners ?? [])] });
  },
};

/** Errors, stack traces and bind failures in the logs of the port's owner (log-errors). */
export const logRules: Rule = {
  step: 'logs',
  codes: ['log-errors'],
  evaluate(facts) {
    const finding = facts.logs === null ? null : logErrorsFinding(facts.logs, facts.os);
    return finding === null ? [] : [finding];
  },
};
