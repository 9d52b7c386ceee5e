/**
 * Exit codes, a public contract:
 * 0 — healthy / found / done; 1 — a problem was found or the answer is negative
 * (nothing on the port, not ready in time); 2 — bad usage, or the question could not be answered.
 */
export const EXIT_OK = 0;
export const EXIT_NEGATIVE = 1;
export const EXIT_FAILURE = 2;
