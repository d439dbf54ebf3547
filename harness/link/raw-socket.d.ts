// The parts of raw-socket (which ships no types) that the relay uses.
declare module 'raw-socket' {
  import type { EventEmitter } from 'node:events';
  interface RawSocket extends EventEmitter {
    setOption(level: number, option: number, value: number): void;
    send(buffer: Buffer, offset: number, length: number, address: string, beforeCallback: () => void, afterCallback: (error: Error | null, bytes: number) => void): void;
    close(): void;
  }
  const raw: {
    createSocket(options: { protocol: number; bufferSize?: number; addressFamily?: number }): RawSocket;
    Protocol: { TCP: number; ICMP: number; UDP: number; None: number };
    AddressFamily: { IPv4: number; IPv6: number };
  };
  export default raw;
}
