import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver, type Receiver } from "../testing/receiver";
import { MAX_RESPONSE_BYTES, OutboundRefused, refusedAddress, sendOutbound } from "./http";

describe("SSRF-safe outgoing requests", () => {
  let receiver: Receiver;
  let elsewhere: Receiver;
  beforeAll(async () => {
    elsewhere = await startReceiver();
    receiver = await startReceiver((r) => {
      if (r.path === "/to-private") return { status: 302, headers: { location: `${elsewhere.url}/inside` } };
      if (r.path === "/to-metadata") return { status: 307, headers: { location: "http://169.254.169.254/latest/meta-data/" } };
      if (r.path === "/huge") return { status: 200, body: "x".repeat(1024 * 1024) };
      if (r.path === "/hang") return "hang";
      return { status: 200, body: "ok" };
    });
  });
  afterAll(async () => {
    await receiver?.close();
    await elsewhere?.close();
  });

  const refused = (url: string, allowPrivate: boolean, extra: Partial<Parameters<typeof sendOutbound>[1]> = {}) =>
    expect(sendOutbound(url, { allowPrivate, body: "{}", ...extra })).rejects.toBeInstanceOf(OutboundRefused);

  it("refuses the cloud metadata address (link-local) even when private addresses are allowed", async () => {
    await refused("http://169.254.169.254/", false);
    await refused("http://169.254.169.254/", true);
    await refused("http://[::ffff:169.254.169.254]/", true);
    await refused("http://[fe80::1]/", true);
    expect(refusedAddress("169.254.169.254", true)).toBe("169.254.169.254 is a link-local address");
  });

  it("refuses IPv6 loopback, and private ranges unless WEBHOOK_ALLOW_PRIVATE", async () => {
    await refused("http://[::1]/", false);
    for (const a of ["127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.0.1", "fd00::1", "::ffff:10.0.0.1", "100.64.0.1"]) {
      expect(refusedAddress(a, false), a).not.toBeNull();
      expect(refusedAddress(a, true), a).toBeNull();
    }
    for (const a of ["0.0.0.0", "224.0.0.1", "255.255.255.255", "ff02::1", "::"]) expect(refusedAddress(a, true), a).not.toBeNull();
    expect(refusedAddress("93.184.216.34", false)).toBeNull();
    expect(refusedAddress("2606:2800:220:1::1", false)).toBeNull();
  });

  it("refuses a host name that resolves to 127.0.0.1, after resolution", async () => {
    const port = new URL(receiver.url).port;
    await refused(`http://localhost:${port}/`, false);
    // a public-looking name that DNS points inside
    const resolve = async () => ["127.0.0.1"];
    await refused(`http://hooks.example.com:${port}/`, false, { resolve });
    // one bad answer among good ones is enough to refuse
    await refused(`http://hooks.example.com:${port}/`, false, { resolve: async () => ["93.184.216.34", "10.0.0.5"] });
    expect(receiver.requests).toHaveLength(0);
  });

  it("with WEBHOOK_ALLOW_PRIVATE, reaches loopback, connecting to the address it checked", async () => {
    const port = new URL(receiver.url).port;
    const res = await sendOutbound(`http://hooks.example.com:${port}/pinned`, {
      allowPrivate: true,
      body: "{}",
      resolve: async () => ["127.0.0.1"],
    });
    expect(res.status).toBe(200);
    expect(receiver.requests.at(-1)).toMatchObject({
      path: "/pinned",
      headers: expect.objectContaining({ host: `hooks.example.com:${port}` }),
    });
  });

  it("never follows a redirect, to a private address or the metadata service", async () => {
    const before = elsewhere.requests.length;
    const res = await sendOutbound(`${receiver.url}/to-private`, { allowPrivate: true, body: "{}" });
    expect(res.status).toBe(302);
    const meta = await sendOutbound(`${receiver.url}/to-metadata`, { allowPrivate: true, body: "{}" });
    expect(meta.status).toBe(307);
    expect(elsewhere.requests.length).toBe(before);
  });

  it("refuses URLs that are not http(s) or carry credentials", async () => {
    await refused("ftp://example.com/", true);
    await refused("file:///etc/passwd", true);
    await refused("http://user:pass@example.com/", true);
  });

  it("caps the answer's size and the time it may take", async () => {
    const big = await sendOutbound(`${receiver.url}/huge`, { allowPrivate: true, method: "GET" });
    expect(big.body.length).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    await expect(sendOutbound(`${receiver.url}/hang`, { allowPrivate: true, body: "{}", timeoutMs: 300 })).rejects.toThrow(
      /No answer within/,
    );
    await refused(`${receiver.url}/`, true, { body: "x".repeat(200_000) });
  });
});
