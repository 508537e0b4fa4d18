/**
 * The signed-in user's currency, time zone and theme, for every page: the provider reads
 * `preferences.get` and `preferences.rates`, hands them to the one formatting module (lib/format.ts),
 * sets the theme on <html>, and re-renders the pages when a choice changes.
 *
 * Figures follow the context: the header and every page (through FiguresPage) read it, so when the
 * currency, its rate or the time zone changes they render again with it. Nothing is remounted: state in
 * the page (a search being typed while the user's preferences load) stays.
 */
import { useQuery } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useMemo, type ComponentType, type ReactNode } from "react";
import type { ExchangeRates, Preferences } from "./api-types";
import { useMe } from "./auth";
import { setDisplaySettings, type DisplaySettings } from "./format";
import { useTRPC } from "./trpc";

export const DEFAULT_PREFERENCES: Preferences = { currency: "usd", timeZone: "UTC", theme: "dark" };

interface PreferencesContextValue {
  /** null for visitors (they see USD in their browser's time zone) */
  preferences: Preferences | null;
  rates: ExchangeRates | null;
  /** the currency prices are shown in (usd until its rate is known) */
  currency: string;
  /** what lib/format.ts formats with: currency, its rate, time zone (a new object whenever one changes) */
  display: DisplaySettings;
}

const PreferencesContext = createContext<PreferencesContextValue>({
  preferences: null,
  rates: null,
  currency: "usd",
  display: { currency: "usd", usdPerUnit: 1 },
});

export function usePreferences(): PreferencesContextValue {
  return useContext(PreferencesContext);
}

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
  const usdPerUnit = currency === "usd" ? 1 : (rate ?? 1);
  const timeZone = preferences?.timeZone;
  const display = useMemo<DisplaySettings>(
    () => ({ currency, usdPerUnit, ...(timeZone ? { timeZone } : {}) }),
    [currency, usdPerUnit, timeZone],
  );
  // set before the pages below render, so they format with what the context says
  setDisplaySettings(display);

  const theme = preferences?.theme ?? "dark";
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);

  const value = useMemo(() => ({ preferences, rates, currency, display }), [preferences, rates, currency, display]);
  return <PreferencesContext.Provider value={value}>{children}</PreferencesContext.Provider>;
}

/**
 * A page showing figures: rendered again (never remounted) when the display settings change. A route's
 * element is one object for the router's whole life, so without this React would skip the page.
 */
export function FiguresPage({ page: Page }: { page: ComponentType }) {
  usePreferences();
  return <Page />;
}
