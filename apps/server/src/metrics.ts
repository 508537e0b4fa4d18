/**
 * GET /metrics (Prometheus text) and the per-procedure request metrics. The scrape needs
 * `Authorization: Bearer $METRICS_TOKEN`; without the variable, or with another token, the route does not
 * exist (404), so a stranger learns nothing. Procedure labels come only from the router's own names,
 * so a client inventing paths cannot grow the label set.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { appRouter, type Services } from "@ucie/api";
import type { NextFunction, Request, Response } from "express";

const KNOWN = new Set(Object.keys(appRouter._def.procedures));

/** "alerts.list" for a known procedure, "batch" for several at once, "unknown" for anything else. */
export function procedureLabel(path: string): string {
  const name = path.replace(/^\/+/, "");
  if (name.includes(",")) return "batch";
  return KNOWN.has(name) ? name : "unknown";
}

function sameToken(given: string, expected: string): boolean {
  // hashing first gives equal lengths, so the comparison time says nothing about the token
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

export function metricsHandler(services: Services) {
  return async (req: Request, res: Response) => {
    const token = services.config.METRICS_TOKEN;
    const header = req.headers.authorization ?? "";
    const given = header.startsWith("Bearer ") ? header.slice(7) : "";
    if (!token || !sameToken(given, token)) {
      res.status(404).type("text/plain").send("Not Found");
      return;
    }
    const { registry } = services.telemetry;
    res.setHeader("Content-Type", registry.contentType);
    res.setHeader("Cache-Control", "no-store");
    res.send(await registry.metrics());
  };
}

/** Count and time every /trpc request by procedure and status (mounted on /trpc). */
export function requestMetrics(services: Services) {
  const { httpRequests, httpDuration } = services.telemetry;
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const procedure = procedureLabel(req.path);
    res.on("finish", () => {
      httpRequests.inc({ procedure, code: String(res.statusCode) });
      httpDuration.observe({ procedure }, Number(process.hrtime.bigint() - started) / 1e9);
    });
    next();
  };
}
