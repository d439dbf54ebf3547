/** What every part of the model shares while predicting one scenario: settings, output, timers. */
import type { ClientId, Peer, SysctlName } from './actions.ts';
import type { CounterName, Expectation, ExpectedSegment, Interval, RuleRef, CallResult } from './expectations.ts';
import type { KernelProfile, TargetSettings } from './profiles.ts';
import { asStackSendsReset, type Names } from './segments.ts';
import type { FastOpenCache } from './fast-open-client.ts';

export interface Timer {
  readonly due: Interval;
  readonly fire: (at: Interval) => void;
  /** The action that armed it: what the timer's segments are blamed on. */
  readonly cause: number;
  cancelled: boolean;
}

export class Context {
  readonly out: Expectation[] = [];
  private readonly timers: Timer[] = [];
  /** Incarnations per client: each new request or cookie makes the kernel choose a new ISN. */
  private readonly incarnations = new Map<ClientId, number>();
  /** The names of the latest SYN-ACK each client saw: its ACKs acknowledge that one. */
  readonly latestSynAck = new Map<ClientId, Names>();
  /** Clients the target gave a Fast Open cookie (its key is the namespace's: one cookie per client address). */
  readonly fastOpenCookies = new Set<ClientId>();
  /** What the target's tcp_metrics holds of Fast Open per remote host (its connect()s' cookies). */
  readonly fastOpenCache: FastOpenCache = new Map();
  /** The action being applied or the one whose timer is firing. */
  cause = 0;
  /**
   * Segments sent from a timer. Only they may straddle the horizon: answers to actions are all
   * in before the executor's final barrier returns.
   */
  readonly fromTimers = new WeakSet<Expectation>();
  /** When each counter a timer counted was counted (only those can straddle the horizon). */
  readonly counterTimes = new WeakMap<Expectation, Interval>();
  /** The due time of the timer firing now. */
  private firing: Interval | null = null;
  private get inTimer(): boolean {
    return this.firing !== null;
  }

  constructor(
    readonly profile: KernelProfile,
    readonly settings: TargetSettings & { sysctls: Record<SysctlName, number> },
  ) {}

  sysctl(name: SysctlName): number {
    return this.settings.sysctls[name];
  }

  send(to: Peer, segment: ExpectedSegment, at: Interval, rule: RuleRef): void {
    this.sent(to, segment, at, rule);
  }

  /** send(), keeping the expectation (for mayNotSend). */
  sent(to: Peer, segment: ExpectedSegment, at: Interval, rule: RuleRef): Expectation {
    const e: Expectation = { kind: 'segment', to, segment: asStackSendsReset(segment, this.profile.flags), at, cause: this.cause, optional: false, rule };
    if (this.inTimer) this.fromTimers.add(e);
    this.out.push(e);
    return e;
  }

  /** A segment already predicted that the kernel may not send after all (a later event may have come first). */
  mayNotSend(e: Expectation): void {
    const i = this.out.indexOf(e);
    if (i >= 0 && e.kind === 'segment') this.out[i] = { ...e, optional: true };
  }

  /** A call's result; `call` is the index of the action that made the call (a connect returns long after). */
  result(result: CallResult, at: Interval, rule: RuleRef, call = this.cause): void {
    const e: Expectation = { kind: 'result', result, at, cause: call, optional: false, rule };
    if (this.inTimer) this.fromTimers.add(e);
    this.out.push(e);
  }

  /** A segment from `from` dropped without an answer (a silent drop is an outcome too, naming its rule). */
  drop(from: Peer, at: Interval, rule: RuleRef): void {
    this.out.push({ kind: 'drop', to: from, at, cause: this.cause, rule });
  }

  count(name: CounterName, rule: RuleRef): void {
    const e: Expectation = { kind: 'counter', name, delta: 1, rule, optional: false };
    if (this.firing) this.counterTimes.set(e, this.firing);
    this.out.push(e);
  }

  /** Fresh names for a client's next SYN-ACK (a new ISN and TSval clock). */
  newNames(client: ClientId): Names {
    const n = (this.incarnations.get(client) ?? 0) + 1;
    this.incarnations.set(client, n);
    const suffix = n === 1 ? '' : `#${n}`;
    const names: Names = { isn: `isn:client:${client}${suffix}`, tsval: `tsval:client:${client}${suffix}` };
    this.latestSynAck.set(client, names);
    return names;
  }

  arm(due: Interval, fire: (at: Interval) => void): Timer {
    const timer: Timer = { due, fire, cause: this.cause, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  /** Fires, in order, every timer due no later than `until` (by its earliest time). */
  runTimers(until: number): void {
    for (;;) {
      let next = -1;
      for (let i = 0; i < this.timers.length; i++) {
        const t = this.timers[i]!;
        if (t.cancelled || t.due.earliest > until) continue;
        if (next < 0 || t.due.earliest < this.timers[next]!.due.earliest) next = i;
      }
      if (next < 0) break;
      const [timer] = this.timers.splice(next, 1);
      const cause = this.cause;
      this.cause = timer!.cause;
      this.firing = timer!.due;
      timer!.fire(timer!.due);
      this.firing = null;
      this.cause = cause;
    }
    if (this.timers.length > 64) this.compactTimers();
  }

  private compactTimers(): void {
    const live = this.timers.filter((t) => !t.cancelled);
    this.timers.length = 0;
    this.timers.push(...live);
  }
}
