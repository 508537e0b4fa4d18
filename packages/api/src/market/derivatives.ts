/**
 * Perpetual futures from Binance USDT-M: GET /fapi/v1/premiumIndex?symbol=XUSDT (mark price, last funding
 * rate) and GET /fapi/v1/openInterest?symbol=XUSDT (in coins; priced at the mark). A coin with no such
 * contract answers 400 {"code":-1121}: that is "no futures market", not a failure.
 */
import { z } from "zod";
import type { HttpClient } from "./http";
import type { DerivativesSnapshot } from "./types";

const decimal = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const n = Number(v);
  if (!Number.isFinite(n)) ctx.addIssue({ code: "custom", message: "not a number" });
  return n;
});
export const premiumIndexSchema = z.object({ symbol: z.string(), markPrice: decimal, lastFundingRate: decimal });
export const openInterestSchema = z.object({ symbol: z.string(), openInterest: decimal });

const invalidSymbol = (status: number, body: string) => status === 400 && /-1121|invalid symbol/i.test(body);

export async function fetchDerivatives(http: HttpClient, symbol: string, signal?: AbortSignal): Promise<DerivativesSnapshot | null> {
  const contract = `${symbol.toUpperCase()}USDT`;
  if (!/^[A-Z0-9]{2,20}USDT$/.test(contract)) return null;
  const [premium, oi] = await Promise.all([
    http.get("/fapi/v1/premiumIndex", premiumIndexSchema, { signal, query: { symbol: contract }, nullOn: invalidSymbol }),
    http.get("/fapi/v1/openInterest", openInterestSchema, { signal, query: { symbol: contract }, nullOn: invalidSymbol }),
  ]);
  if (!premium || !oi) return null;
  return {
    contract,
    fundingRate: premium.lastFundingRate,
    markPrice: premium.markPrice,
    openInterestUsd: oi.openInterest * premium.markPrice,
  };
}
