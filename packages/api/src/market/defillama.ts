/**
 * DefiLlama TVL: GET /protocols (every protocol, matched by CoinGecko id, then by symbol) and
 * GET /v2/chains (a chain's own token, e.g. ethereum). The lists are large: callers cache them.
 */
import { z } from "zod";
import type { HttpClient } from "./http";
import type { DefiTvl } from "./types";

const n = z
  .number()
  .nullish()
  .transform((v) => (typeof v === "number" && Number.isFinite(v) ? v : null));
export const protocolsSchema = z.array(
  z.object({
    name: z.string(),
    slug: z.string().optional(),
    symbol: z.string().nullish(),
    gecko_id: z.string().nullish(),
    tvl: n,
    change_1d: n,
    change_7d: n,
    chains: z.array(z.string()).nullish(),
  }),
);
export const chainsSchema = z.array(
  z.object({ name: z.string(), tvl: n, gecko_id: z.string().nullish(), tokenSymbol: z.string().nullish() }),
);

export type Protocols = z.output<typeof protocolsSchema>;
export type Chains = z.output<typeof chainsSchema>;

export function fetchProtocols(http: HttpClient, signal?: AbortSignal): Promise<Protocols> {
  return http.get("/protocols", protocolsSchema, { signal });
}
export function fetchChains(http: HttpClient, signal?: AbortSignal): Promise<Chains> {
  return http.get("/v2/chains", chainsSchema, { signal });
}

/** The TVL figure for a coin: its protocol (by id, then ticker), else the chain whose token it is; or null. */
export function matchTvl(coin: { id: string; symbol: string }, protocols: Protocols, chains: Chains): DefiTvl | null {
  const sym = coin.symbol.toUpperCase();
  const candidates = protocols.filter((p) => p.tvl !== null && p.tvl > 0);
  const protocol =
    candidates.find((p) => p.gecko_id === coin.id) ??
    candidates.filter((p) => p.symbol?.toUpperCase() === sym).sort((a, b) => (b.tvl ?? 0) - (a.tvl ?? 0))[0];
  if (protocol) {
    return {
      slug: protocol.slug ?? protocol.name.toLowerCase().replace(/\s+/g, "-"),
      tvlUsd: protocol.tvl!,
      change1dPct: protocol.change_1d,
      change7dPct: protocol.change_7d,
      chains: protocol.chains ?? [],
    };
  }
  const chain = chains.find((c) => c.gecko_id === coin.id) ?? chains.find((c) => c.tokenSymbol?.toUpperCase() === sym);
  if (chain && chain.tvl !== null)
    return { slug: chain.name, tvlUsd: chain.tvl, change1dPct: null, change7dPct: null, chains: [chain.name] };
  return null;
}
