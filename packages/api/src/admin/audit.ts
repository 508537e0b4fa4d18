/** Every admin action leaves one auth_logs row: the admin as actor, the account acted on as user. */
import type { AuthEventType, DbOrTx } from "@ucie/db";
import { writeAuthLog } from "../auth/audit";
import type { RequestMeta } from "../lib/request-meta";
import type { Services } from "../services";

export interface AdminActor {
  id: string;
  meta: RequestMeta;
}

export function logAdminAction(
  db: DbOrTx,
  services: Pick<Services, "clock">,
  actor: AdminActor,
  type: AuthEventType,
  opts: { userId?: string | null; success?: boolean; reason?: string } = {},
): Promise<void> {
  return writeAuthLog(db, services, actor.meta, {
    type,
    userId: opts.userId ?? null,
    actorId: actor.id,
    success: opts.success ?? true,
    ...(opts.reason ? { reason: opts.reason } : {}),
  });
}
