/**
 * Types the pages read from the server, all derived from the router's inferred outputs (`RouterOutputs`),
 * so a change to a section's data on the server shows up here as a type error, not as a blank card.
 */
import type { RouterOutputs } from "@ucie/api";

/** What one event of a subscription carries (its `tracked()` data). */
export type StreamEvent<Output> = Output extends AsyncIterable<{ data: infer E }, void> ? E : never;

/** One phase of the analysis stream: a union on `phase`; narrowing on it gives that phase's sections. */
export type PhaseEvent = StreamEvent<RouterOutputs["analysis"]["stream"]>;
export type PhaseNumber = PhaseEvent["phase"];
export type PhaseEventOf<P extends PhaseNumber> = Extract<PhaseEvent, { phase: P }>;

type SectionsOf<P extends PhaseNumber> = PhaseEventOf<P>["data"]["sections"];
/** A section of any analysis type (status, source, freshness and its data). */
export type Section = { [P in PhaseNumber]: NonNullable<SectionsOf<P>[keyof SectionsOf<P>]> }[PhaseNumber];
/** A section whose data is T. */
export type SectionOf<T> = Omit<Section, "data"> & { data: T | null };

/** Columnar chart data of the technical section (candles, overlays, RSI and MACD panes). */
export type ChartSeries = NonNullable<NonNullable<SectionsOf<3>["technical"]>["data"]>["series"];

/** One page of the market table (`tokens.list`) and one of its rows. */
export type TokenPage = RouterOutputs["tokens"]["list"];
export type Token = TokenPage["items"][number];

/** The account's notification channels and recent deliveries (settings page). */
export type NotificationChannel = RouterOutputs["notifications"]["channels"][number];
export type Delivery = RouterOutputs["notifications"]["deliveries"][number];

/** The signed-in user's display choices and the rates prices are shown through. */
export type Preferences = RouterOutputs["preferences"]["get"];
export type ExchangeRates = RouterOutputs["preferences"]["rates"];

/** One page of `screener.run` and one of its rows. */
export type ScreenerPage = RouterOutputs["screener"]["run"];
export type ScreenerRow = ScreenerPage["rows"][number];
