/** portdoctor's version: `--version`, and `recordedBy` in the snapshots it writes. */
export const PORTDOCTOR_VERSION = '0.1.0';
