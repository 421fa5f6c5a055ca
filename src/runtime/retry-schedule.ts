// The retry schedule shared by every delivery that runs on Durable Object alarms (change-data-capture batches,
// asynchronous invocations): exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff
// And Jitter": sleep = random(0, min(cap, base * 2^attempt))), floored so a retry never fires at once.
//
// Pure and deterministic given its random source, so tests pass a seeded one and assert the exact delays.

export interface RetryPolicy {
  /** Delay bound of the first retry; doubles with every further attempt. */
  baseDelayMs: number;
  /** No retry waits longer than this. */
  maxDelayMs: number;
  /** Lower bound of every delay (full jitter could otherwise draw 0). */
  minDelayMs: number;
  /** Attempts in all, the first one included; after the last failure the item goes to its dead-letter list. */
  maxAttempts: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  minDelayMs: 100,
  maxAttempts: 5,
});

/** Ceiling of `maxAttempts` a subscription or an asynchronous invocation may ask for. */
export const MAX_ATTEMPTS_CEILING = 20;

/**
 * The delay before the retry that follows failed attempt number `failedAttempts` (1 after the first failure), or
 * null when no attempt is left and the item is dead-lettered.
 */
export function retryDelay(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number | null {
  if (!Number.isInteger(failedAttempts) || failedAttempts < 1) throw new RangeError(`failedAttempts must be a positive integer, got ${failedAttempts}`);
  if (failedAttempts >= policy.maxAttempts) return null;
  // 2^(failedAttempts - 1) overflows nothing: the exponent is capped before the cap is applied.
  const exponent = Math.min(failedAttempts - 1, 30);
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const jittered = Math.floor(random() * bound);
  return Math.max(policy.minDelayMs, Math.min(policy.maxDelayMs, jittered));
}

/** The upper bound of the delay after `failedAttempts` failures, before jitter (for docs and for tests). */
export function retryDelayBound(policy: RetryPolicy, failedAttempts: number): number {
  return Math.max(policy.minDelayMs, Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(failedAttempts - 1, 30)));
}
