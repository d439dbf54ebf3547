import type { Suite } from '../harness/run/property.ts';
import { closedPortsSuite } from './closed-ports.ts';
import { connectErrorsSuite } from './connect-errors.ts';
import { ecnSuite } from './ecn.ts';
import { fastOpenSuite } from './fastopen.ts';
import { halfOpenSuite } from './half-open.ts';
import { handshakeSuite } from './handshake.ts';
import { listenQueuesSuite } from './listen-queues.ts';
import { mssSuite } from './mss.ts';
import { simultaneousOpenSuite } from './simultaneous-open.ts';
import { synDataSuite } from './syn-data.ts';
import { synRcvdSuite } from './syn-rcvd.ts';
import { timeWaitSuite } from './time-wait.ts';

export const SUITES: readonly Suite[] = [handshakeSuite, listenQueuesSuite, halfOpenSuite, closedPortsSuite, connectErrorsSuite, synRcvdSuite, synDataSuite, mssSuite, simultaneousOpenSuite, ecnSuite, fastOpenSuite, timeWaitSuite];
