/**
 * Bitcoin on-chain figures from mempool.space: /v1/fees/recommended, /blocks/tip/height (plain text),
 * /v1/mining/hashrate/3d, /mempool. Each figure is independent: one failing leaves its field null; all
 * failing is an error.
 */
import { z } from "zod";
import type { HttpClient } from "./http";
import type { BitcoinOnchain } from "./types";

export const feesSchema = z.object({
  fastestFee: z.number(),
  halfHourFee: z.number(),
  hourFee: z.number(),
  economyFee: z.number(),
});
export const heightSchema = z.string().trim().regex(/^\d+$/).transform(Number);
export const hashrateSchema = z.object({ currentHashrate: z.number(), currentDifficulty: z.number() });
export const mempoolSchema = z.object({ count: z.number().int(), vsize: z.number().optional() });

export async function fetchBitcoinOnchain(http: HttpClient, signal?: AbortSignal): Promise<BitcoinOnchain> {
  const results = await Promise.allSettled([
    http.get("/v1/fees/recommended", feesSchema, { signal }),
    http.get("/blocks/tip/height", heightSchema, { signal, text: true }),
    http.get("/v1/mining/hashrate/3d", hashrateSchema, { signal }),
    http.get("/mempool", mempoolSchema, { signal }),
  ]);
  if (results.every((r) => r.status === "rejected")) throw (results[0] as PromiseRejectedResult).reason;
  const [fees, height, hashrate, mempool] = results.map((r) => (r.status === "fulfilled" ? r.value : null)) as [
    z.output<typeof feesSchema> | null,
    number | null,
    z.output<typeof hashrateSchema> | null,
    z.output<typeof mempoolSchema> | null,
  ];
  return {
    blockHeight: height,
    // mempool.space reports H/s; EH/s is the unit people read
    hashrateEhs: hashrate ? Math.round((hashrate.currentHashrate / 1e18) * 10) / 10 : null,
    difficulty: hashrate?.currentDifficulty ?? null,
    mempoolTxCount: mempool?.count ?? null,
    fees: fees ? { fastest: fees.fastestFee, halfHour: fees.halfHourFee, hour: fees.hourFee, economy: fees.economyFee } : null,
  };
}
