import type { FixAdvice } from '../advice-types.js';

/**
 * The wording of `excludedPort` for an OS without excluded port ranges (Linux, macOS): the finding
 * never fires there, but the advice table is total so that a replayed fact from another OS still
 * reads sensibly.
 */
export const noExcludedRangesAdvice: FixAdvice['excludedPort'] = ({ port, range }) => ({
  detail: `Port ${port} lies in the excluded range ${range.from}-${range.to}.`,
  fix: `Pick a port outside ${range.from}-${range.to} ('portdoctor free' does).`,
});
