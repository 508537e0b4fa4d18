import { describe, expect, it } from "vitest";
import { ConfigError, envVariableNames, loadConfig } from "./env";

describe("loadConfig", () => {
  it("gives working defaults with an empty environment", () => {
    const c = loadConfig({ INIT_CWD: "/srv/ucie" });
    expect(c.PORT).toBe(3000);
    expect(c.DATA_DIR).toBe("/srv/ucie/.data");
    expect(c.publicUrl).toBe("http://localhost:3000");
    expect(c.secureCookies).toBe(false);
    expect(c.MARKET_DATA).toBe("auto");
    expect(c.ALERT_INTERVAL_SECONDS).toBe(60);
    expect(c.coingeckoBase).toBe("https://api.coingecko.com/api/v3");
  });

  it("archives under DATA_DIR unless ARCHIVE_DIR is set; empty means unset; relative from where the command ran", () => {
    expect(loadConfig({ INIT_CWD: "/srv/ucie", DATA_DIR: "/var/lib/ucie" }).archiveDir).toBe("/var/lib/ucie/archive");
    expect(loadConfig({ INIT_CWD: "/srv/ucie", ARCHIVE_DIR: "" }).archiveDir).toBe("/srv/ucie/.data/archive");
    expect(loadConfig({ INIT_CWD: "/srv/ucie", ARCHIVE_DIR: "logs/old" }).archiveDir).toBe("/srv/ucie/logs/old");
  });

  it("reads every empty variable as unset: the same config as an empty environment", () => {
    const blank = Object.fromEntries(envVariableNames.map((name) => [name, ""]));
    expect(Object.keys(blank)).toContain("DATABASE_URL");
    expect(loadConfig({ ...blank, INIT_CWD: "/srv/ucie" })).toEqual(loadConfig({ INIT_CWD: "/srv/ucie" }));
    const spaces = Object.fromEntries(envVariableNames.map((name) => [name, "  "]));
    expect(loadConfig({ ...spaces, INIT_CWD: "/srv/ucie" })).toEqual(loadConfig({ INIT_CWD: "/srv/ucie" }));
    const c = loadConfig({ ...blank, INIT_CWD: "/srv/ucie" });
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.DATA_DIR).toBe("/srv/ucie/.data");
    expect(c.PORT).toBe(3000);
    expect(c.FEAR_GREED_API_BASE).toBe("https://api.alternative.me");
    expect(c.TRUST_PROXY).toBe(false);
  });

  it("uses the pro host and marks cookies secure over https", () => {
    const c = loadConfig({ COINGECKO_API_PLAN: "pro", COINGECKO_API_KEY: "k", PUBLIC_URL: "https://ucie.example/" });
    expect(c.coingeckoBase).toBe("https://pro-api.coingecko.com/api/v3");
    expect(c.publicUrl).toBe("https://ucie.example");
    expect(c.secureCookies).toBe(true);
  });

  it.each([
    ["DATABASE_URL", "mysql://x"],
    ["PORT", "-1"],
    ["PORT", "eighty"],
    ["ALERT_INTERVAL_SECONDS", "-5"],
    ["MARKET_DATA", "sometimes"],
    ["PUBLIC_URL", "not a url"],
    ["SMTP_URL", "http://mail"],
  ])("refuses a bad %s with one line naming it", (name, value) => {
    let err: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).variable).toBe(name);
    expect((err as Error).message).toMatch(new RegExp(`^Invalid configuration: ${name} `));
    expect((err as Error).message).not.toContain("\n");
    expect((err as Error).message).not.toContain("undefined");
  });

  it("never echoes a URL's secrets in the error", () => {
    expect(() => loadConfig({ DATABASE_URL: "mysql://user:hunter2@db" })).toThrow(/DATABASE_URL/);
    try {
      loadConfig({ DATABASE_URL: "mysql://user:hunter2@db" });
    } catch (e) {
      expect((e as Error).message).not.toContain("hunter2");
    }
  });
});
