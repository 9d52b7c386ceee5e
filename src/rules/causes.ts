import type { Rule } from '../doctor/types.js';
import { clientRejected } from './client-rejected.js';
import { ephemeralExhausted } from './ephemeral-exhausted.js';
import { fdLimit } from './fd-limit.js';
import { hostRejected } from './host-rejected.js';
import { ipv6Disabled } from './ipv6-disabled.js';
import { portShared } from './port-shared.js';
import { proxyIntercepts } from './proxy-intercepts.js';
import { socketActivation } from './socket-activation.js';
import { wildcardTarget } from './wildcard-target.js';

/**
 * The causes of issue 14, most specific first. They come before the generic rules in RULES: a
 * cause found explains the generic finding it would otherwise leave standing (see supersede.ts).
 */
export const CAUSE_RULES: readonly Rule[] = [fdLimit, socketActivation, ipv6Disabled, ephemeralExhausted, clientRejected, hostRejected, proxyIntercepts, wildcardTarget, portShared];
