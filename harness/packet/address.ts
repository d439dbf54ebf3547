/** Dotted-quad IPv4 addresses to and from their 4 bytes. */
export function parseIpv4(address: string): Uint8Array | null {
  const parts = address.split('.');
  if (parts.length !== 4) return null;
  const bytes = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const part = parts[i]!;
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    bytes[i] = Number(part);
  }
  return bytes;
}

export function formatIpv4(bytes: Uint8Array, offset = 0): string {
  return `${bytes[offset]}.${bytes[offset + 1]}.${bytes[offset + 2]}.${bytes[offset + 3]}`;
}

export function ipv4Bytes(address: string): Uint8Array {
  const bytes = parseIpv4(address);
  if (bytes === null) throw new RangeError(`not an IPv4 address: '${address}'`);
  return bytes;
}
