/**
 * The pure parsers of OS tool output that the library exports: functions of text, tested on
 * recorded output, usable on any machine.
 */
export { parseJournalJson } from './linux/logs/journal.js';
export { parseHostsFile, localhostEntries, LOCALHOST_NAMES, type LocalhostMapping } from './common/hosts-file.js';
export { parseEtcServices } from './common/etc-services.js';
