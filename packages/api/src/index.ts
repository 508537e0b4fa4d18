export { appRouter, createCaller, type AppRouter } from "./root";
export { createContextInner, recordingCookie, type Context, type SessionCookie, type RequestMeta } from "./context";
export { createServices, type Services, type ServiceOverrides } from "./services";
export { createLogger, silentLogger, type Logger } from "./lib/logger";
export { systemClock, FakeClock, type Clock } from "./lib/clock";
export { createMailer, type Mailer, type MailMessage } from "./lib/mail";
export { EventBus } from "./lib/events";
export { hashToken, createSession } from "./auth/session";
export {
  watchSession,
  publishSessionsRevoked,
  SessionEndedError,
  SESSION_REVOKED_CHANNEL,
  type SessionWatch,
  type SessionsRevokedEvent,
} from "./auth/revocation";
export { bootstrap } from "./bootstrap";
export { createAccessCodes, listAccessCodes } from "./auth/access-codes";
export * from "./jobs";
