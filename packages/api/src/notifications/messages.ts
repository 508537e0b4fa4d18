/** What a delivery says, per channel format, and how a webhook body is signed. */
import type { AlertType } from "@ucie/db";
import { MARKET, usd, valueLabel, valueUnit } from "../alerts/rules";
import { createHmac } from "node:crypto";
import type { WebhookFormat } from "@ucie/db";

/** The `json` webhook body (shared API.md, "Webhook deliveries"). */
export interface AlertMessage {
  /** the delivery id, also sent as X-UCIE-Delivery: the same on every retry */
  id: string;
  alertId: string | null;
  symbol: string;
  coinId: string;
  type: string;
  /** the rule in the words the UI shows */
  rule: string;
  value: number | null;
  threshold: number | null;
  source: "live" | "snapshot" | "simulated";
  triggeredAt: string;
  /** the value as the UI writes it, in the user's currency: "€27,870 (≈ $32,797 stored) (snapshot 2021-06-24)" */
  valueText: string;
}

/** A USD amount in words in the user's currency (preferences' moneyText); USD by default. */
export type Money = (usdAmount: number) => string;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`: the time inside the MAC stops replays of old bodies. */
export function signature(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac("sha256", secret).update(`${t}.${body}`).digest("hex")}`;
}

/** The value as the UI writes it ("$32,797 (snapshot 2021-06-24)"): money in the user's currency, units and where it came from. */
export function valueText(m: Pick<AlertMessage, "type" | "value" | "source">, asOf?: string | null, money: Money = usd): string {
  if (m.value === null) return "n/a";
  return valueLabel(m.type as AlertType, m.value, m.source, asOf, money);
}

function headline(m: AlertMessage, value: string): string {
  if (m.type === "test") return "UCIE test delivery: your webhook works.";
  return `UCIE alert: ${m.rule}. Value ${value}.`;
}

/** The body a webhook of `format` gets: our JSON, or the message shape Discord and Slack webhooks take. */
export function webhookBody(format: WebhookFormat, m: AlertMessage, publicUrl: string, money: Money = usd): string {
  const value = m.valueText;
  const threshold = m.threshold === null ? "n/a" : valueUnit(m.type as AlertType) === "usd" ? money(m.threshold) : String(m.threshold);
  const link = m.coinId ? `${publicUrl}/token/${encodeURIComponent(m.coinId)}` : publicUrl;
  switch (format) {
    case "json":
      return JSON.stringify(m);
    case "discord":
      return JSON.stringify({
        content: headline(m, value),
        embeds: [
          {
            title: m.type === "test" ? "Test delivery" : m.rule,
            url: link,
            timestamp: m.triggeredAt,
            fields: [
              { name: "Value", value, inline: true },
              { name: "Threshold", value: threshold, inline: true },
            ],
            footer: { text: `Delivery ${m.id}` },
          },
        ],
        allowed_mentions: { parse: [] },
      });
    case "slack":
      return JSON.stringify({
        text: headline(m, value),
        blocks: [
          { type: "section", text: { type: "mrkdwn", text: `*${headline(m, value)}*\n<${link}|Open ${m.symbol || "UCIE"}>` } },
          { type: "context", elements: [{ type: "mrkdwn", text: `Delivery ${m.id} · ${m.triggeredAt}` }] },
        ],
      });
  }
}

/** The Web Push payload the service worker (apps/web/public/sw.js) shows. */
export function pushPayload(m: AlertMessage, value = m.valueText): string {
  return JSON.stringify({
    title: m.type === "test" ? "UCIE test notification" : `UCIE: ${m.symbol}`,
    body: m.type === "test" ? "Push notifications work in this browser." : `${m.rule}. Value ${value}.`,
    url: m.coinId ? `/token/${encodeURIComponent(m.coinId)}` : "/alerts",
    tag: m.id,
  });
}

export function emailMessage(m: AlertMessage, publicUrl: string, value = m.valueText): { subject: string; text: string } {
  if (m.type === "test") return { subject: "UCIE test delivery", text: "E-mail notifications from UCIE reach you." };
  return {
    subject: `UCIE alert: ${m.rule}`,
    text: [
      `Your alert fired at ${m.triggeredAt} (UTC).`,
      "",
      `Rule: ${m.rule}`,
      `Value: ${value}`,
      "",
      m.coinId && m.coinId !== MARKET.coinId ? `${publicUrl}/token/${encodeURIComponent(m.coinId)}` : `${publicUrl}/alerts`,
      `Manage your alerts: ${publicUrl}/alerts`,
    ].join("\n"),
  };
}
