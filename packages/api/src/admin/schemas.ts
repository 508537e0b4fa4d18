/** The inputs of `admin.*`: one zod schema each, shared by the router and the web forms. */
import { z } from "zod";
import { AUTH_EVENT_TYPES } from "@ucie/db/schema";
import { decodeCursor } from "./cursor";

export const ADMIN_PAGE_MAX = 100;

const cursor = z
  .string()
  .max(200)
  .transform((text, ctx) => {
    const c = decodeCursor(text);
    if (!c) {
      ctx.addIssue({ code: "custom", message: "is not a cursor from this list" });
      return z.NEVER;
    }
    return c;
  })
  .optional();
const limit = z.number().int().min(1).max(ADMIN_PAGE_MAX).default(50);
const userId = z.uuid();

export const adminSchemas = {
  page: z.object({ cursor, limit }),
  createCodes: z.object({
    count: z.number().int().min(1).max(50),
    /** hours until the codes expire; null: never */
    expiresInHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 365)
      .nullable(),
    note: z.string().trim().max(200).optional(),
  }),
  codeId: z.object({ id: z.uuid() }),
  users: z.object({ cursor, limit, search: z.string().trim().max(254).optional() }),
  userId: z.object({ userId }),
  deleteUser: z.object({ userId, confirmEmail: z.string().trim().toLowerCase().max(254) }),
  setRole: z.object({ userId, role: z.enum(["user", "admin"]) }),
  authLogFilter: z.object({
    /** an e-mail address (exact) or a user id */
    user: z.string().trim().max(254).optional(),
    eventType: z.enum(AUTH_EVENT_TYPES).optional(),
    success: z.boolean().optional(),
    ip: z.string().trim().max(64).optional(),
    from: z.date().optional(),
    to: z.date().optional(),
  }),
  job: z.object({ job: z.string().max(64) }),
};

export const authLogPage = adminSchemas.authLogFilter.extend({ cursor, limit });
export type AuthLogFilter = z.output<typeof adminSchemas.authLogFilter>;
