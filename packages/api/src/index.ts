export { appRouter, createCaller, type AppRouter, type RouterInputs, type RouterOutputs } from "./root";
export { createContextInner, recordingCookie, type Context, type SessionCookie, type DeviceCookieJar } from "./context";
export type { RequestMeta } from "./lib/request-meta";
export { createServices, type Services, type ServiceOverrides } from "./services";
export { createLogger, silentLogger, type Logger } from "./lib/logger";
export { systemClock, FakeClock, type Clock } from "./lib/clock";
export { createMailer, type Mailer, type MailMessage } from "./lib/mail";
export { EventBus } from "./lib/events";
export { requestContext, type RequestStore } from "./lib/request-context";
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
export { startDeliveryWorker, deliverBatch, type DeliveryWorker } from "./notifications/deliver";
export { createAccessCodes, listAccessCodes, revokeAccessCode, parseDuration } from "./auth/access-codes";
export * from "./jobs";
export { evaluateAlerts, ALERT_TRIGGER_CHANNEL, type EvaluateResult, type EvaluateOptions } from "./alerts/evaluate";
export { createMarketService, createOfflineMarket, UpstreamError, isUpstreamError } from "./market";
export type { MarketService, MarketCoin, Candle, DataSource, Sourced } from "./market";
export { syncCatalogue, syncCoinList, refreshPrices, upsertCoins, CATALOGUE_SIZE, type CatalogueSyncResult } from "./market/catalogue";
export { resolveCoin, type TokenRow } from "./market/resolve";
export { searchTokens, type SearchHit } from "./market/search";
export { listTokens, toTokenDto, type TokenDto, type TokenPage } from "./market/tokens";
export { SNAPSHOT_DATE, loadSnapshot } from "./market/snapshot";
export { fetchMissingLogos, readLogo, fetchLogoImage, logoHosts, LOGO_MAX_BYTES, type LogoFetchResult } from "./market/logos";
export { hashPassword } from "./auth/password";
export { totpCode } from "./auth/two-factor";
export { listUsers, setUserDisabled, endUserSessions, setUserRole, type UserListing } from "./auth/operator";
export { AnonymousCallLimiter, StreamSlots } from "./lib/request-limits";
export { AnswerCache, type CachedAnswer } from "./lib/answer-cache";
export { MAX_BATCH_CALLS } from "./limits";
export { refreshScreener, runScreener, type ScreenerRefreshResult } from "./screener/screener";
export {
  refreshExchangeRates,
  loadRates,
  getPreferences,
  updatePreferences,
  converterForUser,
  moneyText,
  withPrice,
  type Converter,
  type Preferences,
} from "./preferences/preferences";
export { Telemetry } from "./lib/telemetry";
