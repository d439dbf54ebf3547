/**
 * The reference model: for a scenario, every segment a correct kernel sends back, when, and what
 * its socket calls return. Pure and deterministic, in virtual time: actions happen at their
 * given times, kernel timers fire in between.
 */
import { ActiveOpen } from './active-open.ts';
import { Context } from './context.ts';
import { closedListenPort, Listener, type PortClients } from './listener.ts';
import { closeAccepted } from './passive-connection.ts';
import { ScenarioProgress } from './preconditions.ts';
import { RULES } from './rules.ts';
import { clientIsn, closedPortAck } from './harness-numbers.ts';
import type { ConnId, Millis, TimedAction } from './actions.ts';
import type { Expectation } from './expectations.ts';
import type { KernelProfile, TargetSettings } from './profiles.ts';
import { closedPortReset } from './closed-port.ts';
import { instant, response } from './time.ts';

/** Everything the model needs to predict a scenario. */
export interface ModelInput {
  readonly profile: KernelProfile;
  readonly settings: TargetSettings;
  readonly actions: readonly TimedAction[];
  /** Expectations after this time are not checked (the executor stopped watching). */
  readonly horizon: Millis;
}

export function predict(input: ModelInput): Expectation[] {
  const ctx = new Context(input.profile, { ...input.settings, sysctls: { ...input.settings.sysctls } });
  const clients: PortClients = new Map();
  let listener: Listener | null = null;
  const closedPort = closedListenPort(ctx, clients, () => listener);
  const connects = new Map<ConnId, ActiveOpen>();
  const progress = new ScenarioProgress();

  input.actions.forEach(({ at, action }, index) => {
    ctx.runTimers(at);
    if (!progress.take(action)) return;
    ctx.cause = index;
    const now = instant(at);
    const open = listener?.open ? listener : null;
    switch (action.kind) {
      case 'listen':
        listener = new Listener(ctx, action, clients);
        ctx.result({ call: 'listen', ok: true }, response(now), RULES.listen);
        return;
      // accept() and close() apply only to an open listener (preconditions.ts).
      case 'accept':
        open!.accept(action.max, now);
        return;
      case 'blockingAccept':
        open!.blockingAccept(action.timeoutMs, now);
        return;
      case 'closeListener':
        open!.close(now);
        return;
      case 'closeAccepted':
        return closeAccepted(ctx, clients, action.client, now);
      // A client's segment goes to its connection's transition function, listening or not.
      case 'syn':
        return (open ?? closedPort).receive(action.client, { ...action, data: action.data ?? 0 }, now);
      case 'finalAck':
      case 'badAck':
        return (open ?? closedPort).receive(action.client, { kind: 'ack', bad: action.kind === 'badAck' }, now);
      case 'rst':
        return (open ?? closedPort).receive(action.client, { kind: 'rst' }, now);
      case 'clientFin':
        return (open ?? closedPort).receive(action.client, { kind: 'fin' }, now);
      case 'clientUnreachable':
        return (open ?? closedPort).receive(action.client, { kind: 'icmpUnreachable', code: action.code }, now);
      case 'synToClosedPort':
        closedPortReset(ctx, { kind: 'client', client: action.client }, { seqEnd: clientIsn(action.client) + 1 }, now);
        return;
      case 'ackToClosedPort':
        closedPortReset(ctx, { kind: 'client', client: action.client }, { ack: { exact: closedPortAck(action.client) } }, now);
        return;
      case 'connect':
        connects.set(action.conn, new ActiveOpen(ctx, action, progress.hostOf(action.conn), now));
        return;
      case 'answerSyn':
        connects.get(action.conn)!.answer(action.answer, now);
        return;
      case 'closeConnection':
        connects.get(action.conn)!.close(now);
        return;
      case 'wait':
        return;
      case 'sysctl':
        ctx.settings.sysctls[action.name] = action.value;
        return;
    }
  });
  ctx.runTimers(input.horizon);
  return finish(ctx, input.horizon);
}

/** Drops what a timer does wholly past the horizon, marks what straddles it optional, sorts by time. */
function finish(ctx: Context, horizon: number): Expectation[] {
  const kept: Expectation[] = [];
  for (const e of ctx.out) {
    if (e.kind === 'counter') kept.push((ctx.counterTimes.get(e)?.latest ?? 0) > horizon ? { ...e, optional: true } : e);
    else if (e.kind === 'drop' || !ctx.fromTimers.has(e)) kept.push(e);
    else if (e.at.earliest > horizon) continue;
    else if (e.at.latest > horizon) kept.push({ ...e, optional: true });
    else kept.push(e);
  }
  return kept.sort((a, b) => (a.kind === 'counter' ? Infinity : a.at.earliest) - (b.kind === 'counter' ? Infinity : b.at.earliest));
}
