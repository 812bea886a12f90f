/**
 * Strings in data segments that a reviewer wants to see: network endpoints (URLs with a scheme, mining
 * pools' `stratum+tcp://`, IPv4 addresses, `host:port` and well-known top-level domains), cryptocurrency
 * wallet addresses (Monero, Bitcoin with its checksum verified, Ethereum), shell commands, and paths into
 * sensitive host locations.
 *
 * Runs of printable ASCII of at least MIN_RUN bytes are cut from the segment bytes and only runs holding
 * a trigger (`://`, a dot between digits, `/`, a space...) go through the patterns, so a data section of
 * tens of megabytes costs one pass over its bytes plus the few runs worth a look. What is kept is bounded:
 * at most MAX_PER_KIND strings of each kind (the rest counted) of at most MAX_VALUE characters.
 */
import { createHash } from 'crypto';

export type DataStringKind = 'url' | 'pool' | 'ip' | 'host' | 'wallet' | 'mining' | 'shell' | 'path';

export const DATA_STRING_KIND_NAMES: Record<DataStringKind, string> = {
  url: 'URL',
  pool: 'mining pool endpoint',
  ip: 'IP address',
  host: 'host name',
  wallet: 'wallet address',
  mining: 'miner software name',
  shell: 'shell command',
  path: 'sensitive host path',
};

export interface DataString {
  kind: DataStringKind;
  /** the matched text (an endpoint: the URL, address or host; capped at MAX_VALUE characters) */
  value: string;
  /** the host of an endpoint (URL, pool, IP, host), lower case, for the policy's allowed list */
  host?: string;
  /** what it is, beyond the kind (`Monero`, `Bitcoin`, `/bin/sh`...) */
  detail?: string;
  /** data segment index and the file offset of the string */
  segment: number;
  offset: number;
}

export interface DataStrings {
  items: DataString[];
  /** strings of each kind past MAX_PER_KIND: counted, not kept */
  omitted: Partial<Record<DataStringKind, number>>;
}

const MIN_RUN = 6;
const MAX_RUN = 4096;
export const MAX_PER_KIND = 200;
const MAX_VALUE = 200;

const URL_RE = /\b([a-z][a-z0-9+.-]{1,24}):\/\/([a-z0-9._~%!$&'()*+,;=:@[\]-]+)([^\s"'<>\\^`{|}]*)/gi;
const IP_RE = /(?<![\w.])((?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\.(?:25[0-5]|2[0-4]\d|1?\d?\d)){3})(?::(\d{1,5}))?(?![\w.])/g;
const TLDS = 'com|net|org|io|ru|cn|xyz|top|biz|cc|pw|tk|onion|su|ws|co|to|club|online|site|pro';
const HOST_RE = new RegExp(`(?<![\\w.@/-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:${TLDS}))(?::(\\d{1,5}))?(?![\\w.-])`, 'gi');
const MONERO_RE = /(?<![1-9A-Za-z])[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}(?![1-9A-Za-z])/g;
const BTC_RE = /(?<![0-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![0-9A-Za-z])/g;
const BECH32_RE = /(?<![0-9a-z])bc1[ac-hj-np-z02-9]{11,71}(?![0-9a-z])/g;
const ETH_RE = /(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])/g;
const SHELL_RE =
  /(?:\/bin\/(?:ba|z|da|k)?sh\b(?:\s+-c\b)?|\bcmd(?:\.exe)?\s+\/[ck]\b|\bpowershell(?:\.exe)?\s+-|\bcurl\s+[^|]{1,200}\|\s*(?:ba)?sh\b|\bwget\s+(?:-\S+\s+)*https?:|\brm\s+-[rf]{2}\b|\bchmod\s+(?:\+x|777)\b|\bnc\s+-[el]\b|\/dev\/tcp\/|\bcrontab\s+-)/gi;
const PATH_RE =
  /(?<![\w.\/-])(?:\/etc\/(?:passwd|shadow|sudoers|crontab|hosts\b|ssh\/)|\/root\/|\/proc\/self\/|~\/\.ssh\b|\/\.ssh\/|\.aws\/credentials|\/var\/run\/docker\.sock|[a-z]:\\windows\\system32|%appdata%|\/\.bitcoin\/|\bwallet\.dat\b|\/\.electrum\/|\/\.ethereum\/keystore|google-chrome\/default\/login data)/gi;

/** Names of in-browser and native miners and their protocols. */
const MINING_RE = /\b(?:coinhive|coin-hive|cryptonight|cryptoloot|crypto-loot|xmrig|webminer|deepminer|coinimp|jsecoin|minero\.cc|nicehash|mining\.(?:subscribe|authorize|submit))\b/gi;

/** Fixed substrings one of which each pattern's matches hold (checked with indexOf before the pattern runs). */
const PATH_HINTS = ['/etc/', '/root/', '/proc/self/', '.ssh', '.aws/', 'docker.sock', 'ystem32', 'YSTEM32', 'ppdata', 'PPDATA', '.bitcoin', 'wallet.dat', '.electrum', '.ethereum', 'ogin Data', 'ogin data'];
const SHELL_HINTS = ['/bin/', 'cmd', 'CMD', 'owershell', 'OWERSHELL', 'curl ', 'wget ', 'rm -', 'chmod ', 'nc -', '/dev/tcp/', 'crontab'];
const MINING_HINTS = ['oinhive', 'oin-hive', 'OINHIVE', 'ryptonight', 'RYPTONIGHT', 'ryptoloot', 'rypto-loot', 'xmrig', 'XMRig', 'XMRIG', 'ebminer', 'ebMiner', 'eepminer', 'eepMiner', 'oinimp', 'oinImp', 'secoin', 'SECoin', 'inero.cc', 'icehash', 'iceHash', 'mining.'];

function hasAny(text: string, hints: readonly string[]): boolean {
  for (const h of hints) if (text.includes(h)) return true;
  return false;
}

/** Top-level domains a URL's host may end in: the common generic ones and any two-letter country code. */
const URL_TLD = /\.(?:[a-z]{2}|com|net|org|edu|gov|mil|int|info|biz|io|app|dev|xyz|top|site|online|club|pro|cloud|tech|onion|arpa|local|lan)$/;
const IPV4_HOST = /^\d{1,3}(?:\.\d{1,3}){3}$/;

/** Mining pools' schemes and the ports pools commonly listen on. */
const POOL_SCHEMES = /^stratum(?:\+(?:tcp|ssl|tls))?$/i;

const latin1 = new TextDecoder('latin1');

export class DataStringCollector {
  readonly items: DataString[] = [];
  readonly omitted: Partial<Record<DataStringKind, number>> = {};
  private readonly perKind: Record<DataStringKind, number> = { url: 0, pool: 0, ip: 0, host: 0, wallet: 0, mining: 0, shell: 0, path: 0 };
  private readonly seen = new Set<string>();

  /** Scans one data segment's payload bytes[start, end). */
  scan(bytes: Uint8Array, start: number, end: number, segment: number): void {
    let runStart = -1;
    for (let i = start; i <= end; i++) {
      const b = i < end ? bytes[i] : 0;
      const printable = (b >= 0x20 && b < 0x7f) || b === 0x09;
      if (printable) {
        if (runStart < 0) runStart = i;
        if (i - runStart < MAX_RUN) continue;
      }
      if (runStart >= 0 && i - runStart >= MIN_RUN) this.run(bytes, runStart, i, segment);
      runStart = printable ? i : -1;
    }
  }

  result(): DataStrings {
    return { items: this.items, omitted: this.omitted };
  }

  private run(bytes: Uint8Array, start: number, end: number, segment: number): void {
    // cheap triggers first: most runs are identifiers, messages or format strings. Each pattern runs only
    // on runs holding one of its fixed substrings (found by the native indexOf), so the regular
    // expressions see a small share of the data.
    let slash = false;
    let dot = false;
    let digitDotDigit = false;
    let token = 0;
    let longestToken = 0;
    for (let i = start; i < end; i++) {
      const b = bytes[i];
      if ((b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7a)) {
        if (++token > longestToken) longestToken = token;
        continue;
      }
      token = 0;
      if (b === 0x2f || b === 0x5c) slash = true;
      else if (b === 0x2e) {
        dot = true;
        if (i > start && i + 1 < end && isDigit(bytes[i - 1]) && isDigit(bytes[i + 1])) digitDotDigit = true;
      }
    }
    const text = latin1.decode(bytes.subarray(start, end));
    if (slash) {
      this.urls(text, start, segment);
      if (hasAny(text, PATH_HINTS)) this.matches(PATH_RE, text, start, segment, 'path');
    }
    if (hasAny(text, SHELL_HINTS)) this.matches(SHELL_RE, text, start, segment, 'shell');
    if (digitDotDigit) this.ips(text, start, segment);
    // a host name counts on its own in a short string, or with a port anywhere
    if (dot && (end - start <= 260 || text.includes(':'))) this.hosts(text, start, segment);
    if (longestToken >= 26) this.wallets(text, start, segment);
    if (hasAny(text, MINING_HINTS)) this.matches(MINING_RE, text, start, segment, 'mining');
  }

  private urls(text: string, base: number, segment: number): void {
    if (!text.includes('://')) return;
    for (const m of text.matchAll(URL_RE)) {
      const scheme = m[1].toLowerCase();
      const host = hostOf(m[2]);
      // a host without a dot is a placeholder or a local name (`http://localhost`, `file://`), not an endpoint
      // and one outside the known top-level domains is most likely words run together (a compression dictionary)
      if (!host || !(URL_TLD.test(host) || IPV4_HOST.test(host) || host.includes(':'))) continue;
      const pool = POOL_SCHEMES.test(scheme);
      this.add({ kind: pool ? 'pool' : 'url', value: m[0].replace(/[).,;:'"\]]+$/, ''), host, detail: pool ? scheme : undefined, segment, offset: base + m.index });
    }
  }

  private ips(text: string, base: number, segment: number): void {
    for (const m of text.matchAll(IP_RE)) {
      const ip = m[1];
      if (/^(?:0\.|127\.|255\.)/.test(ip) || ip.split('.').every((o) => Number(o) < 10)) continue; // loopback, masks, versions like 1.2.3.4
      const before = text.slice(Math.max(0, m.index - 12), m.index);
      if (/(?::\/\/|@)$/.test(before)) continue; // inside a URL: reported as the URL
      this.add({ kind: 'ip', value: m[0], host: ip, segment, offset: base + m.index });
    }
  }

  /**
   * Bare host names: only a string that is a host (with an optional port and scheme-less path) on its
   * own, or a host with a port: words run together in text (a compression dictionary, prose) read as
   * hosts otherwise.
   */
  private hosts(text: string, base: number, segment: number): void {
    for (const m of text.matchAll(HOST_RE)) {
      const alone = text.trim().length <= m[0].length + 1 || /^\s*$/.test(text.slice(0, m.index)) && /^(?:\/\S*)?\s*$/.test(text.slice(m.index + m[0].length));
      if (!alone && !m[2]) continue;
      const before = text.slice(Math.max(0, m.index - 3), m.index);
      if (before.endsWith('://')) continue; // the URL was reported
      const host = m[1].toLowerCase();
      const port = m[2] ? Number(m[2]) : undefined;
      const pool = port !== undefined && /(?:^|[.-])(?:pool|xmr|mine|mining|stratum|nicehash|monero|coin)/.test(host);
      this.add({ kind: pool ? 'pool' : 'host', value: m[0], host, segment, offset: base + m.index });
    }
  }

  private wallets(text: string, base: number, segment: number): void {
    for (const m of text.matchAll(MONERO_RE)) this.add({ kind: 'wallet', value: m[0], detail: 'Monero', segment, offset: base + m.index });
    for (const m of text.matchAll(BTC_RE)) {
      if (base58Check(m[0])) this.add({ kind: 'wallet', value: m[0], detail: 'Bitcoin', segment, offset: base + m.index });
    }
    for (const m of text.matchAll(BECH32_RE)) this.add({ kind: 'wallet', value: m[0], detail: 'Bitcoin (bech32)', segment, offset: base + m.index });
    for (const m of text.matchAll(ETH_RE)) {
      // a mixed-case address is checksummed (EIP-55); an all-lower one could be any 160-bit hex value
      if (/[a-f]/.test(m[0].slice(2)) && /[A-F]/.test(m[0].slice(2))) this.add({ kind: 'wallet', value: m[0], detail: 'Ethereum', segment, offset: base + m.index });
    }
  }

  private matches(re: RegExp, text: string, base: number, segment: number, kind: DataStringKind): void {
    for (const m of text.matchAll(re)) this.add({ kind, value: kind === 'mining' ? m[0] : contextOf(text, m.index, m[0].length), detail: m[0], segment, offset: base + m.index });
  }

  private add(s: DataString): void {
    const key = `${s.kind}\0${s.value}`;
    if (this.seen.has(key)) return;
    if (this.perKind[s.kind] >= MAX_PER_KIND) {
      this.omitted[s.kind] = (this.omitted[s.kind] ?? 0) + 1;
      return;
    }
    this.seen.add(key);
    this.perKind[s.kind]++;
    if (s.value.length > MAX_VALUE) s.value = s.value.slice(0, MAX_VALUE) + '…';
    this.items.push(s);
  }
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** The string around a match, up to the run's ends, capped (a shell command with its arguments). */
function contextOf(text: string, index: number, length: number): string {
  const start = Math.max(0, index - 40);
  return text.slice(start, Math.min(text.length, index + length + 80)).trim();
}

/** The host of a URL's authority (`user@host:port`), lower case; undefined when there is none. */
function hostOf(authority: string): string | undefined {
  let a = authority;
  const at = a.lastIndexOf('@');
  if (at >= 0) a = a.slice(at + 1);
  if (a.startsWith('[')) return a.slice(1, a.indexOf(']') > 0 ? a.indexOf(']') : undefined).toLowerCase() || undefined;
  const colon = a.indexOf(':');
  if (colon >= 0) a = a.slice(0, colon);
  a = a.replace(/[.,;)]+$/, '').toLowerCase();
  // a placeholder (`%s`, `{host}`) or an empty host is not an endpoint
  return /^[a-z0-9.-]+$/.test(a) && /[a-z0-9]/.test(a) ? a : undefined;
}

const B58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Is `s` a Base58Check string of 25 bytes (a Bitcoin address) with a valid checksum? */
export function base58Check(s: string): boolean {
  let n = 0n;
  for (const c of s) {
    const v = B58.indexOf(c);
    if (v < 0) return false;
    n = n * 58n + BigInt(v);
  }
  const bytes: number[] = [];
  while (n > 0n) {
    bytes.unshift(Number(n & 0xffn));
    n >>= 8n;
  }
  for (const c of s) {
    if (c !== '1') break;
    bytes.unshift(0);
  }
  if (bytes.length !== 25) return false;
  const payload = Uint8Array.from(bytes.slice(0, 21));
  const sum = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  return sum[0] === bytes[21] && sum[1] === bytes[22] && sum[2] === bytes[23] && sum[3] === bytes[24];
}
