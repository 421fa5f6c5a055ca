// Delivery of the change log to subscriptions, inside the database object.
//
// Every subscription has its own pump: one batch at a time, in seq order, the cursor moved (forward only) after the
// batch succeeded. Pumps run side by side, so a slow or failing consumer stalls nobody else. A commit starts the
// pumps at once (commit-listeners.ts), so delivery does not wait for an alarm; the alarm is the durable part:
//   - while any work is pending (a backlog, a retry's due time, a queued replay, log entries that retention will
//     prune) an alarm is set, so after a crash or an eviction the object wakes and carries on from the stored
//     cursors: at least once, since a batch whose success was not recorded before the crash is delivered again;
//   - alarm() catches its own failures and always schedules the next one from the tables. Cloudflare retries an
//     alarm handler that throws (exponential backoff from 2 s, up to 6 retries: developers.cloudflare.com/
//     durable-objects/api/alarms), but we never rely on that: the retry schedule is ours (retry-schedule.ts).
// A failed batch is retried with exponential backoff and full jitter; after maxAttempts it goes to the dead-letter
// list and the cursor moves past it ("dead_letter"), or the subscription is blocked until resumed ("block").
// A subscription further behind than its maxLag is paused (pausedReason "lag_cap") and stops holding retention.

import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from "../runtime/retry-schedule.ts";
import { CHANGE_RETENTION_MS, earliestSeq, headSeq, isExpired, pruneDue, readChanges } from "./change-log.ts";
import { batchOf, planBatch } from "./subscription-batch.ts";
import * as store from "./subscription-store.ts";
import type { DeliveryError, SubscriptionRecord } from "./subscription-store.ts";

/** How one consumer invocation went. */
export type ConsumerOutcome = { ok: true } | ({ ok: false } & DeliveryError);

export interface DeliveryHost {
  /** Which region and database this object is, or null while it does not know (nothing is delivered then). */
  identity(): { region: string; db: string } | null;
  /** Runs the consumer function on one batch (JSON bytes). Never throws: a failure is an outcome. */
  runConsumer(functionName: string, payload: Uint8Array): Promise<ConsumerOutcome>;
  /** Resolves when no transaction is open: the log then holds exactly what committed. */
  idle(): Promise<void>;
}

/** While a pump runs, the alarm stands this far ahead: it fires only if the object died meanwhile. */
export const DELIVERY_BACKSTOP_MS = 30_000;
/** The longest alarm() waits for the pumps it started before it returns (they keep running after). */
const ALARM_WAIT_MS = 20_000;
/** Replays one pass runs at most. */
const REPLAYS_PER_PASS = 20;

export class SubscriptionDelivery {
  private readonly pumps = new Map<string, Promise<void>>();
  private replaying: Promise<void> | null = null;
  /** The alarm as last set by us (null: none); mirrors storage so the write path does not read it on every commit. */
  private alarmAt: number | null | undefined = undefined;
  /** Tests swap it for a fixed source to see the schedule's exact delays. */
  random: () => number = Math.random;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly host: DeliveryHost,
    private readonly policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  ) {}

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  /** Starts a pump for every active subscription that has work due and none running; replays too. */
  kick(now = Date.now()): void {
    if (this.host.identity() === null) return;
    const head = headSeq(this.sql);
    for (const subscription of store.listSubscriptions(this.sql)) {
      // The cap holds in every state: a paused or blocked subscription must not hold the log without limit either.
      if (this.overLagCap(subscription, head)) continue;
      if (subscription.state !== "active" || subscription.nextAttemptAt > now || subscription.cursor >= head) continue;
      this.startPump(subscription.name);
    }
    const replay = store.nextReplayAt(this.sql);
    if (replay !== null && replay <= now && this.replaying === null) {
      this.replaying = this.replayPass().finally(() => {
        this.replaying = null;
        void this.reschedule();
      });
    }
  }

  /** After a commit: deliver now, and make sure an alarm stands for pruning what was written, even unsubscribed. */
  committed(): void {
    this.kick();
    if (typeof this.alarmAt !== "number") void this.reschedule();
  }

  /** The alarm: retention pruning, then every due pump. Catches everything; always schedules the next alarm. */
  async alarm(): Promise<void> {
    // The alarm that fired is used up: a pump started now must set its backstop again.
    this.alarmAt = null;
    try {
      pruneDue(this.sql, Date.now(), store.lowestCursor(this.sql));
      this.kick();
      const running = [...this.pumps.values(), ...(this.replaying ? [this.replaying] : [])];
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([Promise.allSettled(running), new Promise((resolve) => (timer = setTimeout(resolve, ALARM_WAIT_MS)))]);
      clearTimeout(timer);
    } catch (error) {
      console.error("subscription alarm failed", error);
    } finally {
      await this.reschedule().catch((error) => console.error("subscription alarm not rescheduled", error));
    }
  }

  private startPump(name: string): void {
    if (this.pumps.has(name)) return;
    const pump = this.pump(name)
      .catch((error) => console.error(`subscription ${name}: delivery failed`, error))
      .finally(() => {
        this.pumps.delete(name);
        void this.reschedule();
      });
    this.pumps.set(name, pump);
  }

  /** Batches for one subscription until it has nothing due. */
  private async pump(name: string): Promise<void> {
    await this.ensureAlarmBy(Date.now() + DELIVERY_BACKSTOP_MS);
    while (await this.deliverOne(name));
  }

  /** One batch; answers whether the subscription moved (and may have more). */
  private async deliverOne(name: string): Promise<boolean> {
    await this.host.idle();
    const identity = this.host.identity();
    const subscription = store.getSubscription(this.sql, name);
    if (identity === null || subscription === null || subscription.state !== "active" || subscription.nextAttemptAt > Date.now()) return false;
    if (this.overLagCap(subscription, headSeq(this.sql))) return false;
    if (isExpired(this.sql, subscription.cursor)) {
      // Only a resume with skipPruned can move past a gap; never skipped silently.
      const message = `changes after ${subscription.cursor} are no longer in the log (the earliest held is ${earliestSeq(this.sql)})`;
      store.setState(this.sql, name, "paused", "lag_cap", { code: "cursor_expired", message });
      return false;
    }
    const plan = planBatch(this.sql, subscription);
    if (plan === null) return false;
    if (plan.changes.length === 0) return store.advanceCursor(this.sql, name, plan.through);
    const payload = new TextEncoder().encode(JSON.stringify(batchOf(identity.region, identity.db, name, plan.changes)));
    const outcome = await this.host.runConsumer(subscription.function, payload);
    // Read again: it may have been paused, replaced or deleted while the consumer ran.
    const now = store.getSubscription(this.sql, name);
    if (now === null || now.cursor !== subscription.cursor) return false;
    if (outcome.ok) return store.advanceCursor(this.sql, name, plan.through);
    return this.failed(now, plan.changes, plan.through, outcome);
  }

  /** Pauses a subscription further behind than its maxLag (answers true then, and for one already paused so). */
  private overLagCap(subscription: SubscriptionRecord, head: number): boolean {
    if (subscription.state === "paused" && subscription.pausedReason === "lag_cap") return true;
    const lag = head - subscription.cursor;
    if (lag <= subscription.maxLag) return false;
    const message = `${lag} changes behind the head, more than its maxLag of ${subscription.maxLag}: paused, and no longer holding the log's retention`;
    store.setState(this.sql, subscription.name, "paused", "lag_cap", { code: "lag_cap", message });
    // It no longer holds retention: what it held may now be prunable.
    void this.reschedule();
    return true;
  }

  /** A failed batch: retried later, dead-lettered (the cursor moves on) or blocking, as the subscription says. */
  private failed(subscription: SubscriptionRecord, changes: Parameters<typeof store.addDeadLetters>[2], through: number, error: DeliveryError): boolean {
    const attempts = subscription.attempts + 1;
    const failure = { code: error.code, message: error.message };
    const delay = retryDelay({ ...this.policy, maxAttempts: subscription.maxAttempts }, attempts, this.random);
    if (delay !== null) {
      const at = Date.now() + delay;
      store.retryLater(this.sql, subscription.name, attempts, at, failure);
      void this.ensureAlarmBy(at);
      return false;
    }
    if (subscription.onFailure === "block") {
      store.retryLater(this.sql, subscription.name, attempts, 0, failure);
      store.setState(this.sql, subscription.name, "blocked", null);
      return false;
    }
    this.storage.transactionSync(() => {
      store.addDeadLetters(this.sql, subscription.name, changes, attempts, failure);
      store.advanceCursor(this.sql, subscription.name, through, { ...failure, at: new Date().toISOString() });
    });
    return true;
  }

  /** Due replays of dead letters, one change per batch, each on its own retry schedule. */
  private async replayPass(): Promise<void> {
    await this.ensureAlarmBy(Date.now() + DELIVERY_BACKSTOP_MS);
    for (const letter of store.replaysDue(this.sql, Date.now(), REPLAYS_PER_PASS)) {
      const identity = this.host.identity();
      const subscription = store.getSubscription(this.sql, letter.subscription);
      if (identity === null || subscription === null || subscription.state !== "active") continue;
      const payload = new TextEncoder().encode(JSON.stringify(batchOf(identity.region, identity.db, subscription.name, [letter.change])));
      const outcome = await this.host.runConsumer(subscription.function, payload);
      if (outcome.ok) {
        store.replayDelivered(this.sql, letter.id);
        continue;
      }
      const attempts = letter.attempts + 1;
      const failure = { code: outcome.code, message: outcome.message };
      const delay = retryDelay({ ...this.policy, maxAttempts: subscription.maxAttempts }, attempts, this.random);
      if (delay === null) store.replayGaveUp(this.sql, letter.id, attempts, failure);
      else store.replayRetry(this.sql, letter.id, attempts, Date.now() + delay, failure);
    }
  }

  /** Brings the alarm forward to `at` unless one stands earlier. */
  private async ensureAlarmBy(at: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.storage.setAlarm(at);
  }

  /** Forgets what it knew of the alarm (after deleteAll, which may or may not have removed it): read it again. */
  forgetAlarm(): void {
    this.alarmAt = undefined;
  }

  /** Sets the alarm for the earliest pending work (or removes it when there is none). */
  async reschedule(): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.storage.getAlarm();
    const at = this.nextWake(Date.now());
    if (at === null) {
      if (this.alarmAt !== null) {
        this.alarmAt = null;
        await this.storage.deleteAlarm();
      }
      return;
    }
    if (this.alarmAt === at) return;
    this.alarmAt = at;
    await this.storage.setAlarm(at);
  }

  /** When the alarm must next fire: a backlog (now, or the backstop while its pump runs), a retry, a replay, a prune. */
  private nextWake(now: number): number | null {
    const sql = this.sql;
    const head = headSeq(sql);
    const times: number[] = [];
    // Without its identity the object delivers nothing (kick() returns at once): waking for it would spin.
    const subscriptions = this.host.identity() === null ? [] : store.listSubscriptions(sql);
    for (const subscription of subscriptions) {
      if (subscription.state !== "active" || subscription.cursor >= head) continue;
      times.push(this.pumps.has(subscription.name) ? now + DELIVERY_BACKSTOP_MS : Math.max(now, subscription.nextAttemptAt));
    }
    const replay = subscriptions.length === 0 ? null : store.nextReplayAt(sql);
    if (replay !== null) times.push(this.replaying !== null ? now + DELIVERY_BACKSTOP_MS : Math.max(now, replay));
    const prune = this.nextPruneAt(now);
    if (prune !== null) times.push(prune);
    return times.length === 0 ? null : Math.min(...times);
  }

  /** When the oldest entry retention may remove becomes old enough; null when no entry is prunable by cursor. */
  private nextPruneAt(now: number): number | null {
    const sql = this.sql;
    const earliest = earliestSeq(sql);
    if (earliest > headSeq(sql)) return null;
    const lowest = store.lowestCursor(sql);
    if (lowest !== null && earliest > lowest) return null;
    const oldest = readChanges(sql, earliest - 1, 1)[0];
    if (oldest === undefined) return null;
    return Math.max(now, Date.parse(oldest.committedAt) + CHANGE_RETENTION_MS);
  }
}
