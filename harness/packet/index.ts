export * from './address.ts';
export * from './decode-result.ts';
export * from './icmp.ts';
export * from './ipv4.ts';
export * from './packet.ts';
export * from './pcap.ts';
export * from './tcp-options.ts';
export * from './tcp.ts';
export { internetChecksum } from './checksum.ts';
