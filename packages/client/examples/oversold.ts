/**
 * Prints the largest coins whose RSI (14) is below 30, from their latest technical analysis. Needs a
 * token with the `read` scope:
 *   UCIE_URL=http://localhost:3000 UCIE_TOKEN=ucie_pat_… node --import tsx examples/oversold.ts [top=50]
 * (Once the server has `screener.run`, that one call does this server-side.)
 */
import { createUcieClient } from "@ucie/client";

const token = process.env.UCIE_TOKEN;
if (!token) {
  console.error("Set UCIE_TOKEN to a personal access token (account page, Access tokens) with the read scope.");
  process.exit(2);
}
const ucie = createUcieClient({ url: process.env.UCIE_URL ?? "http://localhost:3000", token });
const top = Number(process.argv[2] ?? 50);

const coins = (await ucie.tokens.list.query({ limit: top })).items;
// one call per coin: the client batches them, at most as many per request as the server allows
const analyses = await Promise.all(coins.map((c) => ucie.analysis.get.query({ symbol: c.id, type: "technical" })));
const oversold = analyses
  .flatMap((a) => {
    const technical = a?.data.data;
    const rsi = technical && "rsi14" in technical ? technical.rsi14 : null;
    return a && typeof rsi === "number" && rsi < 30 ? [{ symbol: a.symbol, rsi }] : [];
  })
  .sort((x, y) => x.rsi - y.rsi);

if (!oversold.length) console.log(`No oversold coin among the top ${coins.length} (or none analysed yet).`);
for (const c of oversold) console.log(`${c.symbol.padEnd(8)} RSI ${c.rsi.toFixed(1)}`);
