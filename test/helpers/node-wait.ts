// Waiting on a condition without fixed sleeps: polls `cond` (sync or async) until it holds or the deadline passes,
// then fails with `what` and the last value seen, so a timeout says what never happened.
export async function waitFor<T>(what: string, cond: () => T | Promise<T>, timeoutMs = 20_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await cond();
    if (last) return last as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
