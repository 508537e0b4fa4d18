/**
 * News headlines in CryptoCompare's wire format: GET /data/v2/news/?lang=EN&categories=BTC. An error
 * arrives as HTTP 200 with `Response: "Error"`, so the body decides, not the status.
 */
import { z } from "zod";
import type { HttpClient } from "./http";
import { UpstreamError } from "./errors";
import type { NewsItem } from "./types";

export const newsSchema = z.object({
  Response: z.string().optional(),
  Message: z.string().optional(),
  Data: z.union([
    z.array(
      z.object({
        title: z.string(),
        url: z.string(),
        source: z.string().optional(),
        source_info: z.object({ name: z.string() }).partial().optional(),
        published_on: z.number(),
        body: z.string().optional(),
      }),
    ),
    z.object({}).loose(),
  ]),
});

export async function fetchNews(http: HttpClient, symbol: string, limit: number, signal?: AbortSignal): Promise<NewsItem[]> {
  const body = await http.get("/data/v2/news/", newsSchema, { signal, query: { lang: "EN", categories: symbol.toUpperCase() } });
  if (body.Response === "Error" || !Array.isArray(body.Data)) {
    throw new UpstreamError("news", "invalid_response", `/data/v2/news/ reported an error: ${body.Message ?? "no data"}`);
  }
  return body.Data.filter((d) => /^https?:\/\//.test(d.url))
    .slice(0, limit)
    .map((d) => ({
      title: d.title,
      url: d.url,
      source: d.source_info?.name ?? d.source ?? "unknown",
      publishedAt: new Date(d.published_on * 1000),
      ...(d.body ? { body: d.body } : {}),
    }));
}
