/**
 * A real local HTTP(S) receiver for outgoing requests (webhooks, a push service): records every request
 * with its raw body and answers as the test says. `nextRequest()` lets a test wait for an arrival instead
 * of sleeping.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** status and body, or `hang` to hold the request open without answering */
export type Answer = { status: number; body?: string; headers?: Record<string, string> } | "hang";

export interface Receiver {
  url: string;
  requests: ReceivedRequest[];
  /** resolves with the next request to arrive (or the one already waiting past `seen`) */
  nextRequest(seen?: number): Promise<ReceivedRequest>;
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (req: ReceivedRequest, index: number) => Answer = () => ({ status: 200 }),
  tls?: { key: string; cert: string },
): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  const waiters: { seen: number; resolve: (r: ReceivedRequest) => void }[] = [];
  const hung = new Set<http.ServerResponse>();
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const r: ReceivedRequest = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      const index = requests.push(r) - 1;
      for (const w of waiters.splice(0)) {
        if (requests.length > w.seen) w.resolve(requests[w.seen]!);
        else waiters.push(w);
      }
      const a = answer(r, index);
      if (a === "hang") {
        hung.add(res);
        return;
      }
      res.writeHead(a.status, a.headers ?? {}).end(a.body ?? "");
    });
  };
  const server = tls ? https.createServer(tls, onRequest) : http.createServer(onRequest);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    requests,
    nextRequest(seen = requests.length) {
      if (requests.length > seen) return Promise.resolve(requests[seen]!);
      return new Promise((resolve) => waiters.push({ seen, resolve }));
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl CLI), for a local https receiver. */
export function selfSignedCert(): { key: string; cert: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "ucie-cert-"));
  try {
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        path.join(dir, "key.pem"),
        "-out",
        path.join(dir, "cert.pem"),
      ],
      { stdio: "ignore" },
    );
    return { key: readFileSync(path.join(dir, "key.pem"), "utf8"), cert: readFileSync(path.join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
