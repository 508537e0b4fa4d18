import { fetchMissingLogos, syncCatalogue, type CatalogueSyncResult, type Services } from "@ucie/api";

const MAX_LISTED = 20;

function ids(list: string[]): string {
  if (list.length === 0) return "";
  const shown = list.slice(0, MAX_LISTED).join(", ");
  return `: ${shown}${list.length > MAX_LISTED ? `, and ${list.length - MAX_LISTED} more` : ""}`;
}

/** The sync's result as people read it: where the list came from, then one line per kind of change. */
export function formatSyncResult(r: CatalogueSyncResult): string {
  const source = r.source === "live" ? "live CoinGecko data" : `the offline snapshot of ${r.asOf.toISOString().slice(0, 10)}`;
  return [
    `token catalogue synced from ${source} (as of ${r.asOf.toISOString()})`,
    `  added        ${r.added.length}${ids(r.added)}`,
    `  updated      ${r.updated}`,
    `  reactivated  ${r.reactivated.length}${ids(r.reactivated)}`,
    `  delisted     ${r.deactivated.length}${ids(r.deactivated)}`,
    ...(r.note ? [`  note: ${r.note}`] : []),
  ].join("\n");
}

export async function tokensCommand(services: Services, args: string[]): Promise<number> {
  const [sub] = args;
  if (sub === "sync") {
    console.log(formatSyncResult(await syncCatalogue(services)));
    const logos = await fetchMissingLogos(services);
    if (logos.fetched || logos.failed) console.log(`  logos        ${logos.fetched} fetched, ${logos.failed} not available`);
    return 0;
  }
  console.error("usage: tokens sync");
  return 2;
}
