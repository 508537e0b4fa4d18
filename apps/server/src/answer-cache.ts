/**
 * Serving anonymous public queries from services.caches.answers (packages/api lib/answer-cache.ts): a hit is
 * sent as it was answered, without tRPC; a miss goes to tRPC with its body copied on the way out, and is
 * kept when tRPC marked it cacheable (`Cache-Control: public`, which it gives only to anonymous, error-free
 * answers of public procedures) and set no cookie.
 */
import type { CachedAnswer } from "@ucie/api";
import type { Response } from "express";

/** the headers of an answer worth replaying (the others are set per request by earlier middleware) */
const KEPT_HEADERS = ["content-type", "cache-control", "vary"] as const;

export function sendCachedAnswer(res: Response, answer: CachedAnswer): void {
  res.status(answer.status);
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(answer.body);
}

/**
 * Copy what is written to `res` and hand it to `keep` once the answer is sent, if it may be cached: status
 * 200, `Cache-Control: public`, no Set-Cookie, at most `maxBytes`.
 */
export function collectAnswer(res: Response, maxBytes: number, keep: (answer: CachedAnswer) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  let whole = true;
  const copy = (chunk: unknown) => {
    if (!whole || chunk === undefined || chunk === null || typeof chunk === "function") return;
    if (typeof chunk !== "string" && !(chunk instanceof Uint8Array)) {
      whole = false;
      return;
    }
    const bytes = Buffer.from(chunk); // a copy: the writer may reuse its buffer
    size += bytes.length;
    if (size > maxBytes) {
      whole = false;
      chunks.length = 0;
      return;
    }
    chunks.push(bytes);
  };
  // tRPC writes the body, then ends the response; both pass through here on their way to the socket
  const write = res.write.bind(res);
  const end = res.end.bind(res);
  type Callback = (error: Error | null | undefined) => void;
  function copyingWrite(chunk: unknown, callback?: Callback): boolean;
  function copyingWrite(chunk: unknown, encoding: BufferEncoding, callback?: Callback): boolean;
  function copyingWrite(chunk: unknown, ...rest: unknown[]): boolean {
    copy(chunk);
    return Boolean(Reflect.apply(write, undefined, [chunk, ...rest]));
  }
  function copyingEnd(callback?: () => void): Response;
  function copyingEnd(chunk: unknown, callback?: () => void): Response;
  function copyingEnd(chunk: unknown, encoding: BufferEncoding, callback?: () => void): Response;
  function copyingEnd(...args: unknown[]): Response {
    copy(args[0]);
    Reflect.apply(end, undefined, args);
    return res;
  }
  res.write = copyingWrite;
  res.end = copyingEnd;
  res.once("finish", () => {
    if (!whole || res.statusCode !== 200 || res.getHeader("set-cookie") !== undefined) return;
    if (!/^public\b/.test(String(res.getHeader("cache-control") ?? ""))) return;
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = res.getHeader(name);
      if (value !== undefined) headers[name] = String(value);
    }
    keep({ status: 200, headers, body: Buffer.concat(chunks) });
  });
}
