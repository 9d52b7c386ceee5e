/** The firewall types are the platform's (every OS back-end answers the same questions). */
export type { FirewallQuery, FirewallReport, FirewallRuleMatch, FirewallSourceStatus } from '../../types.js';
