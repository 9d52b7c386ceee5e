import type { Rule } from '../doctor/types.js';
import { adviceFor } from '../platform/advice.js';
import type { Finding } from '../types.js';
import { finding, listeners, plural } from './helpers.js';

/** Within this many descriptors of the limit counts as at the limit: a server at EMFILE hovers there (libuv keeps one spare fd to shed connections). */
const AT_LIMIT_SLACK = 2;
/** From this share of the limit on, the server is close enough to be worth a warning. */
const NEAR_SHARE = 0.9;
/** The limit to suggest: enough for any dev server and most production ones, and allowed by default hard limits on systemd machines (524288). */
const SUGGESTED = 65536;

const EMFILE = /\bEMFILE\b|Too many open files/i;

/**
 * The holder of the port has (nearly) every file descriptor its limit allows open: accept() fails
 * with EMFILE, so new connections wait in the accept queue or are reset, while the process looks
 * alive. Read from the process's open descriptors and its RLIMIT_NOFILE (the platform's
 * openFiles), with `accept EMFILE` / "Too many open files" in its logs as further evidence.
 */
export const fdLimit: Rule = {
  step: 'identify-application',
  codes: ['fd-limit'],
  evaluate(facts) {
    const findings: Finding[] = [];
    const logLines = (facts.logs?.lines ?? []).filter((l) => EMFILE.test(l.text));
    for (const holder of facts.causes.openFiles) {
      if (!holder.read.ok || holder.read.value.softLimit === null) continue;
      const { open, softLimit, hardLimit } = holder.read.value;
      const atLimit = open >= softLimit - AT_LIMIT_SLACK;
      const near = open >= softLimit * NEAR_SHARE;
      if (!atLimit && !near) continue;
      const severity = atLimit || logLines.length > 0 ? 'error' : 'warning';
      const queue = listeners(facts, { current: true }).find((s) => s.processes.some((p) => p.pid === holder.pid))?.queue.recv ?? 0;
      const suggested = softLimit >= SUGGESTED ? softLimit * 2 : SUGGESTED;
      const logs = logLines.length > 0 ? ` Its logs say so: "${logLines[0]!.text.trim().slice(0, 160)}"${logLines.length > 1 ? ` (and ${plural(logLines.length - 1, 'more line')})` : ''}.` : '';
      findings.push(
        finding(
          'fd-limit',
          severity,
          `${holder.name} (pid ${holder.pid}) has ${open} of ${softLimit} file descriptors open${atLimit ? ': it cannot accept more connections' : ''}`,
          `Every connection a server accepts takes a file descriptor. ${holder.name} may open ${softLimit} (its soft limit; hard limit ${hardLimit ?? 'unlimited'}) and has ${open} open${atLimit ? ', so accept() fails with EMFILE: new connections wait in the accept queue' + (queue > 0 ? ` (${queue} waiting now)` : '') + ' until they time out, or are reset' : ', close to the point where accept() fails with EMFILE'}.${logs} A descriptor leak (connections or files never closed) reaches any limit in the end; a busy server may simply need a higher one.`,
          adviceFor(facts.os).fdLimitFix({ pid: holder.pid, name: holder.name, softLimit, hardLimit, suggested, unit: holder.unit, container: holder.container }),
          { pid: holder.pid, name: holder.name, open, softLimit, hardLimit, acceptQueue: queue, logLines: logLines.slice(0, 5), unit: holder.unit, container: holder.container },
        ),
      );
    }
    return findings;
  },
};
