import type { RouterOutputs } from "@ucie/api";
import { Link } from "react-router";

type Channel = RouterOutputs["notifications"]["channels"][number];

/**
 * Where an alert goes besides the app: `null` is "every channel of the account" (also those added later),
 * otherwise the ticked channel ids. The in-app notification always happens, so its box is ticked and fixed.
 */
export type ChannelChoice = string[] | null;

export function isChecked(choice: ChannelChoice, id: string) {
  return choice === null || choice.includes(id);
}

/** The choice after ticking or unticking `id`: back to `null` (every channel) once all are ticked again. */
export function toggled(choice: ChannelChoice, id: string, on: boolean, all: readonly string[]): ChannelChoice {
  const ticked = all.filter((c) => (c === id ? on : isChecked(choice, c)));
  return ticked.length === all.length ? null : ticked;
}

/** What `alerts.create` / `alerts.update` take for a choice: no list means every channel, e-mail included. */
export function channelsInput(choice: ChannelChoice): { channels?: string[]; email: boolean } {
  return choice === null ? { email: true } : { channels: choice, email: choice.includes("email") };
}

/** The choice an alert was saved with (`channels` null: every channel; e-mail only when it asked for it). */
export function choiceOf(alert: { channels: string[] | null; email: boolean }, all: readonly string[]): ChannelChoice {
  if (alert.channels !== null) return alert.channels;
  return alert.email ? null : all.filter((c) => c !== "email");
}

/** "every channel", or the names of the chosen ones */
export function channelWords(choice: ChannelChoice, channels: readonly Channel[] | undefined): string {
  if (choice === null) return "every channel";
  if (!channels) return `${choice.length} channel${choice.length === 1 ? "" : "s"}`;
  const names = channels.filter((c) => choice.includes(c.id)).map((c) => c.name);
  return names.length ? names.join(", ") : "the app only";
}

function note(c: Channel): string {
  if (c.kind === "webhook") return c.enabled ? `${c.format ?? "json"} webhook, ${c.target}` : `off: ${c.disabledReason ?? "turned off"}`;
  if (c.kind === "push") return c.enabled ? c.target : "no browser subscribed yet";
  return c.target;
}

/** One checkbox per channel of the account (`notifications.channels`), all ticked unless the user unticks some. */
export function ChannelPicker({
  idPrefix,
  channels,
  value,
  onChange,
  error,
  disabled,
}: {
  idPrefix: string;
  channels: { data?: Channel[]; isPending: boolean; isError: boolean };
  value: ChannelChoice;
  onChange: (next: ChannelChoice) => void;
  error?: string;
  disabled?: boolean;
}) {
  const all = channels.data?.map((c) => c.id) ?? [];
  const errorId = error ? `${idPrefix}-channels-err` : undefined;
  return (
    <fieldset className="field al-channels" aria-describedby={errorId} disabled={disabled}>
      <legend>Notify me</legend>
      <label className="checkbox">
        <input type="checkbox" checked disabled />
        <span>
          In the app <span className="muted small">(always)</span>
        </span>
      </label>
      {channels.isPending ? (
        <span className="muted small">Loading your channels…</span>
      ) : channels.isError ? (
        <span className="muted small">Your channels could not be loaded: the alert goes to all of them.</span>
      ) : (
        channels.data?.map((c) => (
          <label key={c.id} className="checkbox">
            <input
              type="checkbox"
              checked={isChecked(value, c.id)}
              onChange={(e) => onChange(toggled(value, c.id, e.target.checked, all))}
            />
            <span>
              {c.name} <span className="muted small">({note(c)})</span>
            </span>
          </label>
        ))
      )}
      <span className="hint">
        Webhooks and browser notifications are set up in <Link to="/account/notifications">notification settings</Link>.
      </span>
      {error && (
        <span id={errorId} className="error">
          {error}
        </span>
      )}
    </fieldset>
  );
}
