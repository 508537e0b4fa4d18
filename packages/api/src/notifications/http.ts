/**
 * The one way UCIE sends a request to an address a user gave it (webhooks, push services): SSRF-safe.
 *
 * - Only http(s). The host is resolved here and every address it resolves to is checked against the
 *   ranges a stranger must not reach through us (loopback, private, link-local incl. cloud metadata at
 *   169.254.169.254, unique-local, multicast, unspecified, CGNAT, reserved...). The connection then goes
 *   to the address that was checked (a custom `lookup`), so a second DNS answer cannot swap it
 *   (DNS rebinding). An IP literal is checked the same way.
 * - Redirects are never followed: a 3xx is a failed delivery, so a redirect cannot lead anywhere unchecked.
 * - `allowPrivate` (WEBHOOK_ALLOW_PRIVATE) lets loopback and private ranges through for self-hosters and
 *   tests; link-local stays refused.
 * - Time (10 s by default) and body sizes are capped both ways.
 */
import dns from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import ipaddr from "ipaddr.js";

export const OUTBOUND_TIMEOUT_MS = 10_000;
export const MAX_REQUEST_BYTES = 64 * 1024;
export const MAX_RESPONSE_BYTES = 64 * 1024;

export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutboundRefused";
  }
}

/** Ranges opened by `allowPrivate`; every other non-unicast range stays closed. */
const PRIVATE_RANGES = new Set(["loopback", "private", "uniqueLocal", "carrierGradeNat"]);

const RANGE_WORDS: Record<string, string> = {
  loopback: "a loopback",
  private: "a private",
  linkLocal: "a link-local",
  uniqueLocal: "a unique-local",
  carrierGradeNat: "a carrier-grade NAT",
  multicast: "a multicast",
  unspecified: "an unspecified",
  broadcast: "a broadcast",
};

/** Why `address` may not be reached, or null when it may. */
export function refusedAddress(address: string, allowPrivate: boolean): string | null {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  let ip = ipaddr.parse(address);
  // ::ffff:10.0.0.1 and friends are the IPv4 address in disguise
  if (ip.kind() === "ipv6" && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range === "unicast") return null;
  if (allowPrivate && PRIVATE_RANGES.has(range)) return null;
  return `${address} is ${RANGE_WORDS[range] ?? `a reserved (${range})`} address`;
}

export type Resolve = (hostname: string) => Promise<string[]>;

const systemResolve: Resolve = async (hostname) =>
  (await dns.promises.lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface OutboundOptions {
  method?: "POST" | "GET";
  headers?: Record<string, string>;
  body?: string | Buffer;
  allowPrivate: boolean;
  timeoutMs?: number;
  /** extra trusted CAs (tests that play an https push service with a self-signed certificate) */
  ca?: string;
  /** name resolution; tests inject one to play DNS */
  resolve?: Resolve;
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** at most MAX_RESPONSE_BYTES of the answer */
  body: string;
}

/** Parse and vet a user's URL before it is stored: a clear reason when it can never be used. */
export function checkUrl(raw: string): URL | string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "Not a valid URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "Only http and https URLs are allowed";
  if (url.username || url.password) return "URLs with a user name or password are not allowed";
  return url;
}

/** The checked address to connect to, or an OutboundRefused. */
async function pickAddress(hostname: string, allowPrivate: boolean, resolve: Resolve): Promise<string> {
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  const addresses = ipaddr.isValid(bare) ? [bare] : await resolve(bare).catch(() => []);
  if (!addresses.length) throw new OutboundRefused(`${bare} does not resolve`);
  // every answer must pass: otherwise a round-robin name could still lead inside on a later connection
  for (const a of addresses) {
    const why = refusedAddress(a, allowPrivate);
    if (why)
      throw new OutboundRefused(a === bare ? `Refused: ${why}` : `Refused: ${bare} resolves to ${a}, which ${why.slice(a.length + 1)}`);
  }
  return addresses[0]!;
}

/**
 * Why `url`'s host may not be reached now, or null. For a clear answer when a user adds a webhook; a name
 * that does not resolve yet is not refused here (every send checks again).
 */
export async function refusedHost(url: URL, allowPrivate: boolean, resolve: Resolve = systemResolve): Promise<string | null> {
  try {
    await pickAddress(url.hostname, allowPrivate, resolve);
    return null;
  } catch (err) {
    return err instanceof OutboundRefused && !/does not resolve/.test(err.message) ? err.message : null;
  }
}

export async function sendOutbound(rawUrl: string, opts: OutboundOptions): Promise<OutboundResponse> {
  const url = checkUrl(rawUrl);
  if (typeof url === "string") throw new OutboundRefused(url);
  const body = opts.body === undefined ? undefined : Buffer.from(opts.body);
  if (body && body.length > MAX_REQUEST_BYTES) throw new OutboundRefused(`Request body over ${MAX_REQUEST_BYTES} bytes`);
  const address = await pickAddress(url.hostname, opts.allowPrivate, opts.resolve ?? systemResolve);
  const family = ipaddr.parse(address).kind() === "ipv6" ? 6 : 4;
  // the connection goes to the address checked above, never to a fresh DNS answer
  const lookup: LookupFunction = (_host, options, cb) => {
    if (options.all) cb(null, [{ address, family }]);
    else cb(null, address, family);
  };
  const lib = url.protocol === "https:" ? https : http;
  const timeoutMs = opts.timeoutMs ?? OUTBOUND_TIMEOUT_MS;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: opts.method ?? "POST",
        headers: { ...opts.headers, ...(body ? { "content-length": String(body.length) } : {}) },
        lookup,
        // a fresh connection each time: a pooled one may have been opened to another checked address
        agent: false,
        ...(opts.ca ? { ca: opts.ca } : {}),
        signal: opts.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size >= MAX_RESPONSE_BYTES) return;
          chunks.push(chunk);
          size += chunk.length;
          // enough is known (the status); the rest of an oversized answer is not read
          if (size >= MAX_RESPONSE_BYTES) res.destroy();
        });
        const done = () => {
          clearTimeout(timer);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString("utf8"),
          });
        };
        res.on("end", done);
        res.on("close", done);
        res.on("error", done);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`No answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(body);
  });
}
