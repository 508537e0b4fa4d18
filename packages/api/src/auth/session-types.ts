/** The session shapes, apart from session.ts so the cache and Services can name them without an import cycle. */

export interface SessionPolicy {
  idleTimeoutMs: number;
  absoluteLifetimeMs: number;
}

export interface SessionUser {
  id: string;
  email: string;
  emailVerified: boolean;
  createdAt: Date;
  /** as of the validation (possibly cached 30 s): `admin.*` re-reads it from the database */
  role: "user" | "admin";
}

export interface ValidSession {
  id: string;
  userId: string;
  expiresAt: Date;
  createdAt: Date;
}
