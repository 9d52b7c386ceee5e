/** Which hooks reach a chain through jumps: the chains of a table as a graph walked from its base chains. */
import type { NatHook, NatPath } from './nat-types.js';

export interface ChainJump {
  readonly from: string;
  readonly to: string;
  /** The jumping rule, quoted. */
  readonly quote: string;
}

/**
 * For every chain reachable from a base chain: one shortest path per hook (breadth-first, so the
 * jumps listed are the fewest). Conditions on the jumps are not evaluated: a path says the rule can
 * run on that hook, not that it runs for every packet.
 *
 * @example
 * chainPaths([{ chain: 'OUTPUT', hook: 'output' }], [{ from: 'OUTPUT', to: 'DOCKER', quote: '-A OUTPUT -j DOCKER' }]).get('DOCKER')
 * // [{ hook: 'output', jumps: ['-A OUTPUT -j DOCKER'] }]
 */
export function chainPaths(bases: readonly { readonly chain: string; readonly hook: NatHook }[], jumps: readonly ChainJump[]): Map<string, NatPath[]> {
  const paths = new Map<string, NatPath[]>();
  for (const base of bases) {
    const seen = new Map<string, string[]>([[base.chain, []]]);
    const queue = [base.chain];
    while (queue.length > 0) {
      const chain = queue.shift() ?? '';
      const via = seen.get(chain) ?? [];
      for (const jump of jumps) {
        if (jump.from !== chain || seen.has(jump.to)) continue;
        seen.set(jump.to, [...via, jump.quote]);
        queue.push(jump.to);
      }
    }
    for (const [chain, via] of seen) paths.set(chain, [...(paths.get(chain) ?? []), { hook: base.hook, jumps: via }]);
  }
  return paths;
}
