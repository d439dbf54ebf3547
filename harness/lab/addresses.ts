/** The lab's one private range (DESIGN.md "The lab"): every lab uses the same addresses in its own namespaces. */
export const LAB_PREFIX = 'tcpc-';
export const TESTER_ADDR = '10.77.0.1';
export const TARGET_ADDR = '10.77.0.2';
export const LINK_PREFIX_LENGTH = 24;
/** Crafted clients and the remote peers of the target's connect() live here, on the tester side. */
export const CLIENT_RANGE = '10.77.0.128/25';
/** The raw link's SO_MARK: the tester's nftables table lets only packets with it leave. */
export const RAW_MARK = 0x7463;
