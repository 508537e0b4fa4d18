/**
 * The signed-in user's currency, time zone and theme, for every page: the provider reads
 * `preferences.get` and `preferences.rates`, hands them to the one formatting module (lib/format.ts),
 * sets the theme on <html>, and re-renders the pages when a choice changes.
 */
import { useQuery } from "@tanstack/react-query";
import { createContext, Fragment, useContext, useEffect, type ReactNode } from "react";
import type { ExchangeRates, Preferences } from "./api-types";
import { useMe } from "./auth";
import { setDisplaySettings } from "./format";
import { useTRPC } from "./trpc";

export const DEFAULT_PREFERENCES: Preferences = { currency: "usd", timeZone: "UTC", theme: "dark" };

interface PreferencesContextValue {
  /** null for visitors (they see USD in their browser's time zone) */
  preferences: Preferences | null;
  rates: ExchangeRates | null;
  /** the currency prices are shown in (usd until its rate is known) */
  currency: string;
}

const PreferencesContext = createContext<PreferencesContextValue>({ preferences: null, rates: null, currency: "usd" });

export function usePreferences(): PreferencesContextValue {
  return useContext(PreferencesContext);
}

/** The zone figures are shown in before (or without) the user's preferences. */
const BROWSER_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function PreferencesProvider({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const { me } = useMe();
  const prefs = useQuery(trpc.preferences.get.queryOptions(undefined, { enabled: !!me, staleTime: 5 * 60_000 }));
  const preferences = me ? (prefs.data ?? null) : null;
  const wantsRates = !!preferences && preferences.currency !== "usd";
  const ratesQ = useQuery(
    trpc.preferences.rates.queryOptions(undefined, { enabled: wantsRates, staleTime: 60_000, refetchInterval: 5 * 60_000 }),
  );
  const rates = ratesQ.data ?? null;
  const rate = preferences && rates ? rates.usdPerUnit[preferences.currency] : undefined;
  const currency = preferences && (preferences.currency === "usd" || rate) ? preferences.currency : "usd";
  // set before the pages below render, so their first paint is already in the chosen currency and zone
  setDisplaySettings({
    currency,
    usdPerUnit: currency === "usd" ? 1 : (rate ?? 1),
    ...(preferences ? { timeZone: preferences.timeZone } : {}),
  });

  const theme = preferences?.theme ?? "dark";
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  return (
    <PreferencesContext.Provider value={{ preferences, rates, currency }}>
      {/* a new key re-renders every figure when the currency or time zone in effect changes; preferences arriving
          that say what is already shown (US dollars, this browser's zone) change nothing, so a page is not
          remounted under a user who is already typing */}
      <Fragment key={`${currency}|${preferences?.timeZone ?? BROWSER_ZONE}`}>{children}</Fragment>
    </PreferencesContext.Provider>
  );
}
