/**
 * Waits for a readiness signal instead of a fixed sleep: polls `ready` every few milliseconds
 * until it holds, and fails with `what` after `timeoutMs` (bounded, never a hang).
 */
export async function waitUntil(ready: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ready()) return;
    if (Date.now() >= deadline) throw new Error(`not ready within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
