/**
 * The evaluator's decision for one alert at one tick, as a pure function: fires? re-arms? did a cross's
 * price change side? The tick itself decides in one SQL statement (evaluate.ts: `measured`, `judged`,
 * `changed`), which cannot call JavaScript; this is the same rule written once more for the preview
 * (`alerts.preview`), and decide.equivalence.test.ts runs the real evaluator tick by tick over generated
 * series and proves both agree, repeat, cooldown and hysteresis included. Change one, change the other.
 */
import type { AlertType } from "@ucie/db";
import { REARM_MARGIN } from "./rules";

export interface StoredRule {
  type: AlertType;
  /** `threshold_value`: the line (volume multiple and sentiment points included) */
  threshold: number;
  /** `condition_details.direction` (price_cross, percent_change, sentiment_change) */
  direction?: "up" | "down" | "any";
  repeat: "once" | "repeat";
  cooldownSeconds: number;
}

export interface RuleState {
  enabled: boolean;
  armed: boolean;
  /** `last_value`: the sample a cross compares with (rewritten whenever the state changes) */
  prev: number | null;
  /** ms since the epoch of the last firing */
  triggeredAt: number | null;
}

export interface Decision {
  fires: boolean;
  rearm: boolean;
  /** a cross's price is now on the other side of its line: the state is written */
  moved: boolean;
}

/** The re-arm margin, in the value's own unit (SQL: `margin`). */
export function margin(rule: StoredRule): number {
  switch (rule.type) {
    case "price_above":
    case "price_below":
    case "price_cross":
      return rule.threshold * REARM_MARGIN.priceFraction;
    case "percent_change":
      return REARM_MARGIN.percentPoints;
    case "rsi_above":
    case "rsi_below":
      return REARM_MARGIN.rsiPoints;
    case "volume_spike":
      return REARM_MARGIN.volumeMultiple;
    case "sentiment_change":
      return REARM_MARGIN.sentimentPoints;
  }
}

/** How far the value is past the line (>= 0: the condition holds); SQL: `e`. Null for a cross. */
export function excess(rule: StoredRule, v: number): number | null {
  const t = rule.threshold;
  switch (rule.type) {
    case "price_above":
    case "rsi_above":
    case "volume_spike":
      return v - t;
    case "price_below":
    case "rsi_below":
      return t - v;
    case "price_cross":
      return null;
    default: {
      const dir = rule.direction ?? "any";
      return dir === "up" ? v - t : dir === "down" ? -v - t : Math.abs(v) - t;
    }
  }
}

/** One tick's decision for an enabled alert (snoozes are not replayed: the preview has none). */
export function decide(rule: StoredRule, s: RuleState, v: number | null, nowMs: number): Decision {
  if (v === null || !Number.isFinite(v)) return { fires: false, rearm: false, moved: false };
  const t = rule.threshold;
  const dir = rule.direction ?? "any";
  const m = margin(rule);
  const cross = rule.type === "price_cross";
  const e = excess(rule, v);
  const holds = cross
    ? s.prev !== null &&
      (((dir === "up" || dir === "any") && s.prev < t && v >= t) || ((dir === "down" || dir === "any") && s.prev > t && v <= t))
    : e! >= 0;
  const cooled = rule.repeat === "once" || s.triggeredAt === null || s.triggeredAt + rule.cooldownSeconds * 1000 <= nowMs;
  const fires = s.armed && holds && cooled;
  const rearm = !s.armed && (cross ? (dir === "up" ? v < t - m : dir === "down" ? v > t + m : Math.abs(v - t) > m) : e! < -m);
  // SQL: sign(v - thr) IS DISTINCT FROM sign(prev - thr); a null prev is distinct from any side
  const moved = cross && (s.prev === null || Math.sign(v - t) !== Math.sign(s.prev - t));
  return { fires, rearm, moved };
}

/** The state after a tick's decision (SQL: the `changed` update). */
export function next(rule: StoredRule, s: RuleState, v: number | null, d: Decision, nowMs: number): RuleState {
  if (!(d.fires || d.rearm || d.moved)) return s;
  return {
    enabled: d.fires && rule.repeat === "once" ? false : s.enabled,
    armed: d.fires ? false : d.rearm ? true : s.armed,
    prev: v ?? s.prev,
    triggeredAt: d.fires ? nowMs : s.triggeredAt,
  };
}

/**
 * Replays a rule over a series, oldest first, as the evaluator would if it ticked once at each point:
 * the alert is created at the first point (armed, its first sample that point's value, as alerts.create
 * stores the price at creation), and evaluated from the second point on.
 */
export function replay(rule: StoredRule, series: { t: number; value: number | null }[]): { t: number; value: number }[] {
  const firings: { t: number; value: number }[] = [];
  if (!series.length) return firings;
  let s: RuleState = { enabled: true, armed: true, prev: rule.type === "price_cross" ? series[0]!.value : null, triggeredAt: null };
  for (const p of series.slice(1)) {
    if (!s.enabled) break;
    const d = decide(rule, s, p.value, p.t);
    if (d.fires) firings.push({ t: p.t, value: p.value! });
    s = next(rule, s, p.value, d, p.t);
  }
  return firings;
}
