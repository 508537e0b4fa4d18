/**
 * Account self-service over real HTTP: the first-start access code, two-factor sign-in with its pending
 * cookie, and the cookie cleared when an account is deleted.
 */
import { createAccessCodes, totpCode } from "@ucie/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestClient, type TestServer } from "./testing";

const PASSWORD = "a sturdy test passphrase";

function post(client: TestClient, procedure: string, input: unknown): Promise<Response> {
  return client.fetch(`/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ json: input }),
  });
}

async function verifyLink(server: TestServer, email: string, sent: number): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const text = server.mail.slice(sent).find((m) => m.to === email)?.text;
    const token = /\/verify\?token=([\w-]+)/.exec(text ?? "")?.[1];
    if (token) return token;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no verification e-mail for ${email}`);
}

const codeNow = (secret: string, offset = 0) => totpCode(secret, Math.floor(Date.now() / 30_000) + offset);

describe("account self-service over HTTP", () => {
  let server: TestServer;
  let owner: TestClient;
  beforeAll(async () => {
    server = await startTestServer();
    // the code `pnpm start` prints on an empty database still works now that codes are stored hashed
    expect(server.firstAccessCode).toMatch(/^UCIE-/);
    owner = server.client();
    const sent = server.mail.length;
    await owner.trpc.auth.register.mutate({ email: "owner@example.com", password: PASSWORD, accessCode: server.firstAccessCode! });
    await owner.trpc.auth.verifyEmail.mutate({ token: await verifyLink(server, "owner@example.com", sent) });
    await owner.trpc.auth.login.mutate({ email: "owner@example.com", password: PASSWORD });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("with two-factor on, login sets only a short pending cookie; the code turns it into a session", async () => {
    const { secret } = await owner.trpc.auth.twoFactor.setup.mutate();
    const { recoveryCodes } = await owner.trpc.auth.twoFactor.enable.mutate({ code: codeNow(secret) });
    expect(recoveryCodes).toHaveLength(10);

    const phone = server.client();
    const login = await post(phone, "auth.login", { email: "owner@example.com", password: PASSWORD });
    expect(login.status).toBe(200);
    expect(((await login.json()) as { result: { data: { json: unknown } } }).result.data.json).toEqual({ twoFactorRequired: true });
    const [cookie] = login.headers.getSetCookie();
    expect(cookie).toMatch(/^ucie_session=2fa\./);
    expect(cookie).toMatch(/HttpOnly/);
    const expires = new Date(/Expires=([^;]+)/.exec(cookie!)![1]!).getTime();
    expect(expires - Date.now()).toBeLessThanOrEqual(5 * 60_000 + 1000);
    expect(await phone.trpc.auth.me.query()).toBeNull();

    // a code typed from the phone (the next step's code is fine: one step of drift); it works once
    expect(await phone.trpc.auth.verifyTwoFactor.mutate({ code: codeNow(secret, 1) })).toMatchObject({ email: "owner@example.com" });
    expect(phone.cookies.get("ucie_session")).not.toMatch(/^2fa\./);
    expect(await phone.trpc.auth.me.query()).toMatchObject({ email: "owner@example.com" });

    // a recovery code from another browser, then two-factor off again
    const laptop = server.client();
    await laptop.trpc.auth.login.mutate({ email: "owner@example.com", password: PASSWORD });
    await laptop.trpc.auth.verifyTwoFactor.mutate({ recoveryCode: recoveryCodes[3]! });
    expect(await laptop.trpc.auth.twoFactor.status.query()).toEqual({ enabled: true, recoveryCodesLeft: 9 });
    await laptop.trpc.auth.twoFactor.disable.mutate({ password: PASSWORD, code: recoveryCodes[4]! });
    expect(await server.client().trpc.auth.login.mutate({ email: "owner@example.com", password: PASSWORD })).toMatchObject({
      email: "owner@example.com",
    });
  });

  it("a wrong code answers 400 naming the field; an unknown pending cookie answers 401", async () => {
    const stranger = server.client();
    stranger.cookies.set("ucie_session", "2fa.not-a-real-challenge-token");
    const res = await post(stranger, "auth.verifyTwoFactor", { code: "123456" });
    expect(res.status).toBe(401);
    // errors of our own making name their field the way zod's do, so the form shows them beside it
    const wrong = await post(owner, "auth.changePassword", { currentPassword: "not it at all", newPassword: "violet anchor mosaic" });
    expect(wrong.status).toBe(400);
    const body = (await wrong.json()) as { error: { json: { data: { fieldErrors: Record<string, string[]> } } } };
    expect(body.error.json.data.fieldErrors).toEqual({ currentPassword: ["This is not your current password"] });
    const bad = await post(server.client(), "auth.verifyTwoFactor", { code: "12ab" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("code");
  });

  it("delete account clears the cookie and the account is gone", async () => {
    const [code] = await createAccessCodes(server.services.db, 1);
    const leaver = server.client();
    const sent = server.mail.length;
    await leaver.trpc.auth.register.mutate({ email: "leaver@example.com", password: PASSWORD, accessCode: code! });
    await leaver.trpc.auth.verifyEmail.mutate({ token: await verifyLink(server, "leaver@example.com", sent) });
    await leaver.trpc.auth.login.mutate({ email: "leaver@example.com", password: PASSWORD });
    const data = await leaver.trpc.auth.exportData.query();
    expect(data.user?.email).toBe("leaver@example.com");

    const res = await post(leaver, "auth.deleteAccount", { password: PASSWORD });
    expect(res.status).toBe(200);
    const cleared = res.headers.getSetCookie()[0]!;
    expect(cleared).toMatch(/^ucie_session=;/);
    expect(new Date(/Expires=([^;]+)/.exec(cleared)![1]!).getTime()).toBeLessThan(Date.now());
    await expect(server.client().trpc.auth.login.mutate({ email: "leaver@example.com", password: PASSWORD })).rejects.toThrow(
      "Wrong e-mail or password",
    );
  });
});
