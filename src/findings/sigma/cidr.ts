/** The `cidr` modifier: IPv4 and IPv6 networks. Pure. */
import type { TextTest } from "./string_pattern.ts";

function ipv4Bits(text: string): bigint | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return undefined;
  return parts.reduce((bits, part) => (bits << 8n) | BigInt(part), 0n);
}

function ipv6Bits(text: string): bigint | undefined {
  if (!text.includes(":")) return undefined;
  let groups = text.split(":");
  const last = groups[groups.length - 1]!;
  if (last.includes(".")) {
    const embedded = ipv4Bits(last);
    if (embedded === undefined) return undefined;
    groups = [...groups.slice(0, -1), (embedded >> 16n).toString(16), (embedded & 0xffffn).toString(16)];
  }
  const gap = groups.indexOf("");
  if (text.includes("::")) {
    const head = text.startsWith("::") ? [] : groups.slice(0, gap);
    const tailStart = groups.lastIndexOf("") + 1;
    const tail = groups.slice(tailStart);
    groups = [...head, ...Array(8 - head.length - tail.length).fill("0"), ...tail];
  }
  if (groups.length !== 8 || groups.some((group) => !/^[0-9a-f]{1,4}$/i.test(group))) return undefined;
  return groups.reduce((bits, group) => (bits << 16n) | BigInt(parseInt(group, 16)), 0n);
}

/** An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`) as a test of an address text; undefined when it is not one. */
export function compileCidr(value: string): TextTest | undefined {
  const [address = "", prefixText] = value.split("/");
  const v4 = ipv4Bits(address);
  const bits = v4 ?? ipv6Bits(address);
  const width = v4 === undefined ? 128 : 32;
  const prefix = prefixText === undefined ? width : Number(prefixText);
  if (bits === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > width) return undefined;
  const shift = BigInt(width - prefix);
  const network = bits >> shift;
  return (text) => {
    const candidate = width === 32 ? ipv4Bits(text) : ipv6Bits(text);
    return candidate !== undefined && candidate >> shift === network;
  };
}
