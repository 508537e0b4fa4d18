/** Who made a request, as the auth log records it; filled by the HTTP layer, read by domain code. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}
