import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useMemo } from "react";
import { CURRENCIES, THEMES } from "@ucie/api/limits";
import type { Preferences } from "../../lib/api-types";
import { formatDay } from "../../lib/format";
import { DEFAULT_PREFERENCES, usePreferences } from "../../lib/preferences";
import { useTRPC } from "../../lib/trpc";
import { FormAlert, MutationError } from "../auth/form";

const CURRENCY_NAMES: Record<(typeof CURRENCIES)[number], string> = {
  usd: "US dollar (USD)",
  eur: "Euro (EUR)",
  gbp: "British pound (GBP)",
  jpy: "Japanese yen (JPY)",
  chf: "Swiss franc (CHF)",
  cad: "Canadian dollar (CAD)",
  aud: "Australian dollar (AUD)",
  btc: "Bitcoin (BTC)",
  eth: "Ether (ETH)",
};
const THEME_NAMES: Record<(typeof THEMES)[number], string> = { dark: "Dark", light: "Light", system: "As the device" };

/** Currency, time zone and theme: saved at once, every page follows. */
export function PreferencesCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const { preferences, rates } = usePreferences();
  const prefs = preferences ?? DEFAULT_PREFERENCES;
  const zones = useMemo(() => {
    const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
    return all.includes(prefs.timeZone) ? all : [prefs.timeZone, ...all];
  }, [prefs.timeZone]);
  const update = useMutation(
    trpc.preferences.update.mutationOptions({
      onSuccess: (p) => {
        queryClient.setQueryData(trpc.preferences.get.queryKey(), p);
        // prices inside API results (watchlist, alerts) come converted by the server
        return queryClient.invalidateQueries({ predicate: (q) => !String(q.queryKey[0]).includes("preferences") });
      },
    }),
  );
  const save = (patch: Partial<Preferences>) => update.mutate(patch);

  return (
    <form className="card stack" aria-labelledby={`${id}-title`} onSubmit={(e) => e.preventDefault()}>
      <div>
        <h2 id={`${id}-title`}>Display</h2>
        <p className="muted small">
          Prices everywhere in your currency; times in your time zone. Alerts keep their price lines in US dollars and show them converted.
        </p>
      </div>
      <MutationError error={update.error} />
      {update.isSuccess && <FormAlert kind="success">Saved.</FormAlert>}
      <div className="prefs-grid">
        <div className="field">
          <label htmlFor={`${id}-currency`}>Currency</label>
          <select
            id={`${id}-currency`}
            value={prefs.currency}
            onChange={(e) => save({ currency: e.target.value as Preferences["currency"] })}
          >
            {CURRENCIES.map((c) => (
              <option key={c} value={c}>
                {CURRENCY_NAMES[c]}
              </option>
            ))}
          </select>
          {rates && rates.source !== "live" && (
            <span className="muted small">Rates of {formatDay(rates.asOf, "UTC")}, bundled with the offline snapshot.</span>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-zone`}>Time zone</label>
          <select id={`${id}-zone`} value={prefs.timeZone} onChange={(e) => save({ timeZone: e.target.value })}>
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-theme`}>Theme</label>
          <select id={`${id}-theme`} value={prefs.theme} onChange={(e) => save({ theme: e.target.value as Preferences["theme"] })}>
            {THEMES.map((t) => (
              <option key={t} value={t}>
                {THEME_NAMES[t]}
              </option>
            ))}
          </select>
        </div>
      </div>
    </form>
  );
}
