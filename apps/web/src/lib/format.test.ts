import { describe, expect, it } from "vitest";
import {
  chartPriceFormatter,
  formatChange,
  formatCompact,
  formatDay,
  formatFundingRate,
  formatIndicator,
  formatPercent,
  formatPrice,
  formatTime,
  formatUsd,
  formatUsdCompact,
  fromDisplay,
  setDisplaySettings,
  timeAgo,
} from "./format";

describe("format", () => {
  it("gives prices the digits that suit their size", () => {
    expect(formatPrice(32_797)).toBe("$32,797");
    expect(formatPrice(64_123.45)).toBe("$64,123");
    expect(formatPrice(287.2246)).toBe("$287.22");
    expect(formatPrice(1)).toBe("$1.00");
    expect(formatPrice(0.282612)).toBe("$0.2826");
    expect(formatPrice(0.00000673)).toBe("$0.000006730");
    expect(formatPrice(0)).toBe("$0.00");
    expect(formatPrice(null)).toBe("—");
    expect(formatPrice(Number.NaN)).toBe("—");
  });

  it("writes compact amounts with one decimal, always", () => {
    expect(formatUsdCompact(613_445_605_654)).toBe("$613.4B");
    expect(formatUsdCompact(613.45e9)).toBe("$613.5B");
    expect(formatUsdCompact(29e9)).toBe("$29.0B");
    expect(formatUsdCompact(9.7e6)).toBe("$9.7M");
    expect(formatUsdCompact(1_200_000_000_000)).toBe("$1.2T");
    expect(formatUsdCompact(523.4)).toBe("$523.40");
    expect(formatCompact(41_234)).toBe("41.2K");
    expect(formatCompact(812)).toBe("812");
  });

  it("gives every percentage two decimals; changes carry their sign", () => {
    expect(formatChange(3.15532)).toBe("+3.16%");
    expect(formatChange(-3.15532)).toBe("-3.16%");
    expect(formatChange(0)).toBe("0.00%");
    expect(formatPercent(6)).toBe("6.00%");
    expect(formatPercent(9.5612)).toBe("9.56%");
    expect(formatChange(undefined)).toBe("—");
    // funding rates are the exception, quoted as exchanges do
    expect(formatFundingRate(0.0042)).toBe("+0.0042%");
  });

  it("rounds indicators to what matters", () => {
    expect(formatIndicator("rsi", 72.4391)).toBe("72.4");
    expect(formatIndicator("macd", 1234.5678)).toBe("1,235");
    expect(formatIndicator("macd", -12.34567)).toBe("-12.35");
    expect(formatIndicator("macd", 0.000000123456)).toBe("0.0000001235");
    expect(formatIndicator("ratio", 0.87123)).toBe("0.87");
    expect(formatIndicator("stochastic", 12.06)).toBe("12.1");
  });

  it("labels chart axes with currency and separators", () => {
    expect(chartPriceFormatter(70_000)).toBe("$70,000");
    expect(chartPriceFormatter(0.0000067)).toBe("$0.000006700");
  });

  it("shows times in the user's zone, named", () => {
    const t = "2021-06-24T03:00:00Z";
    expect(formatTime(t, "UTC")).toBe("2021-06-24 03:00 UTC");
    expect(formatTime(t, "Europe/Berlin")).toBe("2021-06-24 05:00 GMT+2");
    expect(formatTime(t, "America/Los_Angeles")).toBe("2021-06-23 20:00 PDT");
    expect(formatDay(t, "America/Los_Angeles")).toBe("2021-06-23");
    expect(formatTime(null)).toBe("unknown time");
    expect(timeAgo(new Date(Date.now() - 3 * 60_000))).toBe("3 minutes ago");
    expect(timeAgo(new Date())).toBe("just now");
  });

  it("shows USD figures in the chosen currency, converted once, and USD again when reset", () => {
    setDisplaySettings({ currency: "eur", usdPerUnit: 1.25, timeZone: "Asia/Tokyo" });
    try {
      expect(formatPrice(100)).toBe("€80.00");
      expect(formatUsdCompact(1.25e9)).toBe("€1.0B");
      expect(chartPriceFormatter(50_000)).toBe("€40,000");
      expect(formatUsd(100)).toBe("$100.00");
      expect(fromDisplay(80)).toBe(100);
      expect(formatTime(Date.UTC(2021, 5, 24, 0, 0))).toBe("2021-06-24 09:00 GMT+9");
      setDisplaySettings({ currency: "btc", usdPerUnit: 32_000 });
      expect(formatPrice(16_000)).toMatch(/^BTC\s?0\.5000$/);
    } finally {
      setDisplaySettings(null);
    }
    expect(formatPrice(100)).toBe("$100.00");
  });
});
