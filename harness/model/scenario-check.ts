/**
 * A scenario read from a file a person may have edited (a counterexample.json): every action and
 * setting is checked against the scenario language before anything runs, and the first thing
 * that does not fit is named in one line.
 */
import { SCENARIO_SYSCTLS } from './profiles.ts';
import { IPV6_MIN_MTU } from '../packet/ipv6.ts';
import { ADDRESS_FAMILIES, ECN_FLAGS, ICMP_UNREACHABLE_CODES, IP_ECN, MAXSEG_RANGE, MTU_RANGE, type EcnFlag, type Action, type IcmpUnreachableCode, type Rmem, type Scenario, type SynAnswer, type SynOptions, type SysctlName } from './actions.ts';

/** What a scenario may hold; the executor gives each case this many peers of each kind. */
const MAX_CLIENT = 7;
const MAX_CONN = 3;

export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
}

type Fields = Record<string, unknown>;

function object(value: unknown, where: string): Fields {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ScenarioError(`${where} is not an object`);
  return value as Fields;
}

function int(o: Fields, key: string, where: string, min: number, max: number): number {
  const v = o[key];
  if (!Number.isInteger(v) || (v as number) < min || (v as number) > max) throw new ScenarioError(`${where}.${key} must be a whole number from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return v as number;
}

function bool(o: Fields, key: string, where: string): boolean {
  if (typeof o[key] !== 'boolean') throw new ScenarioError(`${where}.${key} must be true or false, not ${JSON.stringify(o[key])}`);
  return o[key] as boolean;
}

function oneOf<T extends string>(o: Fields, key: string, where: string, values: readonly T[]): T {
  if (!values.includes(o[key] as T)) throw new ScenarioError(`${where}.${key} must be one of ${values.join(', ')}, not ${JSON.stringify(o[key])}`);
  return o[key] as T;
}

function ecnFlags(value: unknown, where: string): EcnFlag[] {
  if (!Array.isArray(value) || value.some((f) => !ECN_FLAGS.includes(f as EcnFlag)) || new Set(value).size !== value.length) throw new ScenarioError(`${where} must list distinct flags of ${ECN_FLAGS.join(', ')}, not ${JSON.stringify(value)}`);
  return value as EcnFlag[];
}

function nullable<T>(o: Fields, key: string, read: () => T): T | null {
  return o[key] === null ? null : read();
}

/** TCP_MAXSEG, where the action sets it. */
const maxseg = (o: Fields, where: string): { maxseg?: number } => (o.maxseg === undefined ? {} : { maxseg: int(o, 'maxseg', where, MAXSEG_RANGE.min, MAXSEG_RANGE.max) });

function sysctlName(value: unknown, where: string): SysctlName {
  if (!SCENARIO_SYSCTLS.includes(value as SysctlName)) throw new ScenarioError(`${where} is not a sysctl a scenario may set (${SCENARIO_SYSCTLS.join(', ')})`);
  return value as SysctlName;
}

function synOptions(value: unknown, where: string): SynOptions {
  const o = object(value, where);
  return {
    mss: nullable(o, 'mss', () => int(o, 'mss', where, 1, 65535)),
    sackPermitted: bool(o, 'sackPermitted', where),
    timestamps: bool(o, 'timestamps', where),
    windowScale: nullable(o, 'windowScale', () => int(o, 'windowScale', where, 0, 14)),
  };
}

function synAnswer(value: unknown, where: string): SynAnswer {
  const o = object(value, where);
  switch (o.kind) {
    case 'synAck':
      return {
        kind: 'synAck',
        options: synOptions(o.options, `${where}.options`),
        window: int(o, 'window', where, 0, 65535),
        ackValid: bool(o, 'ackValid', where),
        ...(o.ecn === undefined ? {} : { ecn: ecnFlags(o.ecn, `${where}.ecn`) }),
        ...(o.cookie === undefined ? {} : { cookie: bool(o, 'cookie', where) }),
        ...(o.dataAcked === undefined ? {} : { dataAcked: oneOf(o, 'dataAcked', where, ['all', 'half'] as const) }),
      };
    case 'syn':
      return { kind: 'syn', options: synOptions(o.options, `${where}.options`), window: int(o, 'window', where, 0, 65535) };
    case 'ack':
    case 'fin':
    case 'rstInWindow':
    case 'packetTooBig':
      return { kind: o.kind };
    case 'rst':
      return { kind: 'rst', acceptable: bool(o, 'acceptable', where) };
    case 'icmpUnreachable':
      return { kind: 'icmpUnreachable', code: int(o, 'code', where, 0, ICMP_UNREACHABLE_CODES.length - 1) as IcmpUnreachableCode };
    default:
      throw new ScenarioError(`${where}.kind must be synAck, syn, ack, fin, rst, rstInWindow, icmpUnreachable or packetTooBig, not ${JSON.stringify(o.kind)}`);
  }
}

export function checkAction(value: unknown, where: string): Action {
  const o = object(value, where);
  const client = (): number => int(o, 'client', where, 0, MAX_CLIENT);
  const conn = (): number => int(o, 'conn', where, 0, MAX_CONN);
  const kind = o.kind as Action['kind'];
  switch (kind) {
    case 'listen':
      return { kind, backlog: int(o, 'backlog', where, -1, 65535), ...maxseg(o, where), ...(o.fastOpen === undefined ? {} : { fastOpen: int(o, 'fastOpen', where, 1, 65535) }) };
    case 'accept':
      return { kind, max: int(o, 'max', where, 1, 64) };
    case 'blockingAccept':
      return { kind, timeoutMs: int(o, 'timeoutMs', where, 1, 600_000) };
    case 'closeListener':
      return { kind };
    case 'syn':
      return {
        kind,
        client: client(),
        options: synOptions(o.options, `${where}.options`),
        window: int(o, 'window', where, 0, 65535),
        ...(o.data === undefined ? {} : { data: int(o, 'data', where, 0, 1400) }),
        ...(o.ecn === undefined ? {} : { ecn: oneOf(o, 'ecn', where, ['ecn', 'accecn'] as const) }),
        ...(o.ipEcn === undefined ? {} : { ipEcn: oneOf(o, 'ipEcn', where, IP_ECN) }),
        ...(o.fastOpen === undefined ? {} : { fastOpen: oneOf(o, 'fastOpen', where, ['request', 'cookie', 'badCookie'] as const) }),
      };
    case 'finalAck':
    case 'badAck':
    case 'rst':
    case 'clientFin':
    case 'closeAccepted':
    case 'synToClosedPort':
    case 'ackToClosedPort':
      return { kind, client: client() };
    case 'clientUnreachable':
      return { kind, client: client(), code: int(o, 'code', where, 0, ICMP_UNREACHABLE_CODES.length - 1) as IcmpUnreachableCode };
    case 'connect':
      return {
        kind,
        conn: conn(),
        syncnt: nullable(o, 'syncnt', () => int(o, 'syncnt', where, 1, 127)),
        ...maxseg(o, where),
        ...(o.fastOpen === undefined ? {} : { fastOpen: int(o, 'fastOpen', where, 0, 1400) }),
        ...(o.sameHostAs === undefined ? {} : { sameHostAs: int(o, 'sameHostAs', where, 0, MAX_CONN) }),
      };
    case 'answerSyn':
      return { kind, conn: conn(), answer: synAnswer(o.answer, `${where}.answer`) };
    case 'closeConnection':
      return { kind, conn: conn() };
    case 'wait':
      return { kind, ms: int(o, 'ms', where, 0, 600_000) };
    case 'sysctl':
      return { kind, name: sysctlName(o.name, `${where}.name`), value: int(o, 'value', where, 0, 2 ** 31 - 1) };
    default: {
      const unknownKind: never = kind;
      throw new ScenarioError(`${where}.kind ${JSON.stringify(unknownKind)} is not an action`);
    }
  }
}

function checkConfig(value: unknown, where: string): Partial<Record<SysctlName, number>> {
  const o = object(value, where);
  const config: Partial<Record<SysctlName, number>> = {};
  for (const key of Object.keys(o)) config[sysctlName(key, `${where}["${key}"]`)] = int(o, key, where, 0, 2 ** 31 - 1);
  return config;
}

/** tcp_rmem: three sizes, smallest to largest (the kernel takes any order; a scenario keeps to this one). */
function rmem(value: unknown, where: string): Rmem {
  if (!Array.isArray(value) || value.length !== 3 || !value.every((v, i) => Number.isInteger(v) && v >= 1 && v <= 2 ** 30 && (i === 0 || v >= value[i - 1]))) {
    throw new ScenarioError(`${where} must be three whole numbers from 1 to 2^30, smallest first, not ${JSON.stringify(value)}`);
  }
  return [value[0], value[1], value[2]];
}

export function checkScenario(value: unknown, where: string): Scenario {
  const o = object(value, where);
  if (!Array.isArray(o.actions)) throw new ScenarioError(`${where}.actions is not a list`);
  if (o.family === 'ipv6' && typeof o.mtu === 'number' && o.mtu < IPV6_MIN_MTU) throw new ScenarioError(`${where}.mtu ${o.mtu} is below IPv6's minimum ${IPV6_MIN_MTU}`);
  return {
    ...(o.family === undefined ? {} : { family: oneOf(o, 'family', where, ADDRESS_FAMILIES) }),
    config: checkConfig(o.config ?? {}, `${where}.config`),
    ...(o.rmem === undefined ? {} : { rmem: rmem(o.rmem, `${where}.rmem`) }),
    ...(o.mtu === undefined ? {} : { mtu: int(o, 'mtu', where, MTU_RANGE.min, MTU_RANGE.max) }),
    actions: o.actions.map((a, i) => checkAction(a, `${where}.actions[${i}]`)),
  };
}
