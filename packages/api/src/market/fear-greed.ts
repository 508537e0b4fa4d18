/** alternative.me Fear and Greed index: GET /fng/?limit=N (newest first; values and times are strings). */
import { z } from "zod";
import type { HttpClient } from "./http";
import { UpstreamError } from "./errors";
import type { FearGreedPoint } from "./types";

export const fngSchema = z.object({
  data: z.array(
    z.object({
      value: z.coerce.number().int().min(0).max(100),
      value_classification: z.string(),
      timestamp: z.coerce.number().int().positive(),
    }),
  ),
  metadata: z.object({ error: z.string().nullable().optional() }).optional(),
});

export async function fetchFearGreed(http: HttpClient, days: number, signal?: AbortSignal): Promise<FearGreedPoint[]> {
  const body = await http.get("/fng/", fngSchema, { signal, query: { limit: days } });
  if (body.metadata?.error) throw new UpstreamError("fear-greed", "invalid_response", `/fng/ reported an error: ${body.metadata.error}`);
  return body.data
    .map((d) => ({ value: d.value, classification: d.value_classification, timestamp: new Date(d.timestamp * 1000) }))
    .sort((a, b) => b.timestamp.getTime() - a.timestamp.getTime());
}
