/** IP addresses in text (dotted quad; RFC 5952 for IPv6) to and from their bytes. */

export type IpFamily = 4 | 6;

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

/** RFC 4291 §2.2 text: eight groups, one '::', and a trailing dotted quad (as in ::ffff:10.77.0.130). */
export function parseIpv6(address: string): Uint8Array | null {
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const groups = (text: string): number[] | null => {
    if (text === '') return [];
    const out: number[] = [];
    const parts = text.split(':');
    for (const [i, part] of parts.entries()) {
      if (i === parts.length - 1 && part.includes('.')) {
        const v4 = parseIpv4(part);
        if (v4 === null) return null;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(part)) out.push(parseInt(part, 16));
      else return null;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (head === null || tail === null) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes = new Uint8Array(16);
  all.forEach((g, i) => {
    bytes[2 * i] = g >> 8;
    bytes[2 * i + 1] = g & 0xff;
  });
  return bytes;
}

/** RFC 5952 §4: lower case, no leading zeros, the longest run of two or more zero groups as '::'; IPv4-mapped with its dotted quad. */
export function formatIpv6(bytes: Uint8Array, offset = 0): string {
  const g = Array.from({ length: 8 }, (_, i) => (bytes[offset + 2 * i]! << 8) | bytes[offset + 2 * i + 1]!);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) return `::ffff:${formatIpv4(bytes, offset + 12)}`;
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = (xs: number[]) => xs.map((x) => x.toString(16)).join(':');
  return best.at < 0 ? hex(g) : `${hex(g.slice(0, best.at))}::${hex(g.slice(best.at + best.length))}`;
}

export function familyOf(address: string): IpFamily | null {
  return parseIpv4(address) !== null ? 4 : parseIpv6(address) !== null ? 6 : null;
}

/** An address's 4 or 16 bytes; throws on text that is neither (a programming error: the harness makes every address). */
export function ipBytes(address: string): Uint8Array {
  const bytes = parseIpv4(address) ?? parseIpv6(address);
  if (bytes === null) throw new RangeError(`not an IP address: '${address}'`);
  return bytes;
}

export function ipv4Bytes(address: string): Uint8Array {
  const bytes = parseIpv4(address);
  if (bytes === null) throw new RangeError(`not an IPv4 address: '${address}'`);
  return bytes;
}
