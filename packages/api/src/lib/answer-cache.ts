/**
 * Finished HTTP answers to anonymous public queries, kept for a second or two: the body bytes and the
 * headers the API gave them. The same few searches and screener pages arrive from many visitors at once;
 * the data behind them is cached already (15 s for a search, 10 s for a screener page), but building the
 * answer again for every visitor (tRPC's request and response objects, the envelope, JSON.stringify of up
 * to 25 KB) costs more than the rest of the request. Those answers are sent with
 * `Cache-Control: public, max-age=30`, so any proxy on the way may keep them for 30 s; this keeps them for
 * far less. Bounded by entries and by bytes; the oldest entry goes first.
 */
export interface CachedAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

export class AnswerCache {
  private readonly entries = new Map<string, { answer: CachedAnswer; expires: number }>();
  private bytes = 0;
  constructor(
    /** how long an answer is reused */
    readonly ttlMs = 2_000,
    readonly limits = { maxEntries: 1_000, maxBytes: 16 * 1024 * 1024, maxAnswerBytes: 256 * 1024 },
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): CachedAnswer | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires > this.now()) return hit.answer;
    this.delete(key);
    return undefined;
  }

  set(key: string, answer: CachedAnswer): void {
    if (answer.body.length > this.limits.maxAnswerBytes) return;
    this.delete(key);
    while (this.entries.size && (this.entries.size >= this.limits.maxEntries || this.bytes + answer.body.length > this.limits.maxBytes)) {
      this.delete(this.entries.keys().next().value!);
    }
    this.entries.set(key, { answer, expires: this.now() + this.ttlMs });
    this.bytes += answer.body.length;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private delete(key: string): void {
    const hit = this.entries.get(key);
    if (!hit) return;
    this.entries.delete(key);
    this.bytes -= hit.answer.body.length;
  }
}
