/** Every rule the model applies, with where it comes from and the profile flags that decide it. */
import type { ProfileFlagName } from './profiles.ts';
import type { RuleRef } from './expectations.ts';

const rule = (id: string, source: string, flags: ProfileFlagName[] = []): RuleRef => ({ id, source, flags });

export const RULES = {
  listen: rule('listen', 'Linux __sys_listen: backlog capped by net.core.somaxconn'),
  synAck: rule('listener.synAck', 'RFC 9293 §3.10.7.2 LISTEN: SYN -> SYN-ACK; Linux tcp_conn_request, tcp_synack_options'),
  synQueueFull: rule('listener.synQueueFull', 'Linux tcp_conn_request: inet_csk_reqsk_queue_is_full -> cookies or drop', ['synQueueFullInclusive']),
  acceptQueueFullSyn: rule('listener.acceptQueueFull.synDropped', 'Linux tcp_conn_request: sk_acceptq_is_full -> drop (>= 4.10)', ['synDroppedWhenAcceptQueueFull', 'acceptQueueAdmitsBacklogPlusOne']),
  synBacklogQuarter: rule('listener.maxSynBacklogQuarter', 'Linux tcp_conn_request: without cookies the last quarter of tcp_max_syn_backlog is for proven peers'),
  sharedBacklog: rule('listener.sharedBacklog', 'BSD (the article): incomplete + completed queues together bounded by backlog', ['queuesShareBacklog']),
  cookie: rule('listener.syncookie', 'Linux cookie_v4_init_sequence: SYN cookie SYN-ACK, options only with timestamps'),
  synAckRetransmit: rule('listener.synAckRetransmit', 'Linux reqsk_timer_handler: 1 s, doubling, tcp_synack_retries times'),
  requestExpired: rule('listener.requestExpired', 'Linux reqsk_timer_handler: request dropped after tcp_synack_retries'),
  duplicateSyn: rule('listener.duplicateSyn', 'Linux tcp_check_req: retransmitted SYN -> SYN-ACK again, rate-limited by tcp_invalid_ratelimit'),
  acceptQueueFullAck: rule('listener.acceptQueueFull.finalAck', 'Linux tcp_check_req listen_overflow: drop the ACK, or RST with tcp_abort_on_overflow', ['acceptQueueAdmitsBacklogPlusOne']),
  cookieAck: rule('listener.cookieAck', 'Linux cookie_v4_check: a valid cookie ACK creates the connection'),
  badAck: rule('listener.badAck', 'RFC 9293 §3.10.7.4: unacceptable ACK in SYN-RECEIVED -> <SEQ=SEG.ACK><CTL=RST>; Linux tcp_check_req returns the listener'),
  ackToListener: rule('listener.ackWithoutRequest', 'RFC 9293 §3.10.7.2 LISTEN: an ACK -> <SEQ=SEG.ACK><CTL=RST>'),
  rstInSynRcvd: rule('listener.rstInSynRcvd', 'RFC 9293 §3.10.7.4: RST in SYN-RECEIVED drops the request; Linux counts EmbryonicRsts'),
  rstEstablished: rule('established.rst', 'RFC 5961 §3.2: RST with SEG.SEQ = RCV.NXT resets the connection; accept() still returns it'),
  unsentDataDropped: rule('established.unsentDataAck', 'RFC 9293 §3.10.7.4: an ACK of unsent data is dropped; since 6.18 (measured) Linux sends a challenge ACK instead (RFC 5961 §5.2)', ['challengeAckForUnsentData']),
  duplicateAck: rule('established.duplicateAck', 'RFC 9293 §3.10.7.4: an acceptable ACK of nothing new on an established connection: nothing to answer'),
  rstAfterReset: rule('closed.rst', 'RFC 9293 §3.10.7.1: an RST to a closed port is discarded'),
  oowRateLimited: rule('established.oowRateLimited', 'Linux __tcp_oow_rate_limited: at most one answer to out-of-window segments per tcp_invalid_ratelimit (500 ms)'),
  challengeAck: rule('established.challengeAck', 'RFC 5961 §4 and §5.2: a SYN, or an ACK of unsent data, in a synchronized state -> challenge ACK, at most one per 500 ms', ['challengeAcks']),
  blockingAccept: rule('listener.blockingAccept', 'accept(2) on a blocking socket: sleeps (Linux inet_csk_wait_for_connect) until a connection is established, or returns none when its timeout runs out', ['acceptQueueAdmitsBacklogPlusOne']),
  accept: rule('listener.accept', 'accept(2): established connections only, FIFO; half-open ones never', ['acceptQueueAdmitsBacklogPlusOne']),
  listenerClosed: rule('listener.closed', 'Linux inet_csk_listen_stop: queued connections are reset, requests die'),
  closedPortSyn: rule('closedPort.syn', 'RFC 9293 §3.10.7.1: ACK bit off -> <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>'),
  closedPortAck: rule('closedPort.ack', 'RFC 9293 §3.10.7.1: ACK bit on -> <SEQ=SEG.ACK><CTL=RST>'),
  connectSyn: rule('connect.syn', 'RFC 9293 §3.10.4 OPEN: SYN with the options Linux tcp_connect sends'),
  synRetransmit: rule('connect.synRetransmit', 'Linux tcp_retransmit_timer: 1 s, doubling (linear for tcp_syn_linear_timeouts times)', ['linearSynTimeouts', 'bsdSynSchedule']),
  connectTimeout: rule('connect.timeout', 'Linux tcp_write_timeout: ETIMEDOUT once the SYN_SENT time exceeds what tcp_syn_retries exponential retransmits take', ['synTimeoutByElapsedTime', 'bsdSynSchedule']),
  connectEstablished: rule('connect.established', 'RFC 9293 §3.10.7.3 SYN-SENT: acceptable SYN-ACK -> ACK, ESTABLISHED'),
  connectBadSynAck: rule('connect.badSynAck', 'RFC 9293 §3.10.7.3 SYN-SENT: unacceptable ACK -> <SEQ=SEG.ACK><CTL=RST>, stay in SYN-SENT; Linux resends the SYN at once if it never did'),
  connectRefused: rule('connect.refused', 'RFC 9293 §3.10.7.3 SYN-SENT: acceptable RST -> ECONNREFUSED; an RST with an unacceptable ACK is dropped (Linux resends the SYN at once)'),
  connectIgnored: rule('connect.ignored', 'RFC 9293 §3.10.7.3/§3.10.7.4: an RST with an unacceptable ACK in SYN-SENT, or an RST or ICMP on an established connection, is dropped'),
  icmpFragNeeded: rule('connect.icmpFragNeeded', 'RFC 1191 / Linux tcp_v4_err: fragmentation needed adjusts the path MTU only'),
  connectIcmp: rule('connect.icmpUnreachable', 'Linux tcp_v4_err: ICMP unreachable aborts SYN_SENT at once (BSD: soft error reported at timeout)', ['icmpUnreachableAbortsConnect']),
} as const;
