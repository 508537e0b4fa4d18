/**
 * What a personal access token may reach: every procedure of the router is named here, either with the
 * scope a token needs for it or in TOKEN_NEVER (account management: password, two-factor, deletion,
 * tokens, sessions, logout, export). A procedure named in neither is refused to every token, and
 * token-scopes.test.ts fails until it is placed, so a new procedure cannot slip through to scripts.
 */
import type { TokenScope } from "@ucie/db";

export const TOKEN_SCOPE_OF_PROCEDURE: Readonly<Record<string, TokenScope>> = {
  "system.ping": "read",
  "auth.me": "read",
  "tokens.list": "read",
  "tokens.search": "read",
  "tokens.get": "read",
  "tokens.history": "read",
  "tokens.historyMeta": "read",
  "tokens.details": "read",
  "analysis.get": "read",
  "analysis.stream": "read",
  "screener.run": "read",
  "alerts.preview": "read",
  "notifications.channels": "read",
  "notifications.deliveries": "read",
  "notifications.pushPublicKey": "read",
  "preferences.get": "read",
  "preferences.rates": "read",
  "watchlist.list": "read",
  "alerts.list": "read",
  "alerts.triggers": "read",
  "watchlist.add": "watchlist",
  "watchlist.update": "watchlist",
  "watchlist.remove": "watchlist",
  "watchlist.markViewed": "watchlist",
  "alerts.create": "alerts",
  "alerts.update": "alerts",
  "alerts.delete": "alerts",
  "alerts.onTriggered": "alerts",
};

/** Never for a token, whatever its scopes. */
export const TOKEN_NEVER: ReadonlySet<string> = new Set([
  // settings are the account's own: a script reads them (above) but does not change them
  "preferences.update",
  // delivery channels carry secrets (a webhook's signing key) and reach outside: set up in a browser only
  "notifications.addWebhook",
  "notifications.removeChannel",
  "notifications.test",
  "notifications.subscribePush",
  "notifications.unsubscribePush",
  // the admin area is for a signed-in admin in a browser, never for a script
  "admin.accessCodes",
  "admin.createAccessCodes",
  "admin.revokeAccessCode",
  "admin.users",
  "admin.disableUser",
  "admin.enableUser",
  "admin.endUserSessions",
  "admin.deleteUser",
  "admin.setRole",
  "admin.authLog",
  "admin.authLogCsv",
  "admin.jobs",
  "admin.runJob",
  "admin.health",
  "auth.register",
  "auth.verifyEmail",
  "auth.resendVerification",
  "auth.login",
  "auth.verifyTwoFactor",
  "auth.changePassword",
  "auth.deleteAccount",
  "auth.exportData",
  "auth.logout",
  "auth.logoutAll",
  "auth.sessions",
  "auth.revokeSession",
  "auth.requestPasswordReset",
  "auth.resetPassword",
  "auth.twoFactor.status",
  "auth.twoFactor.setup",
  "auth.twoFactor.enable",
  "auth.twoFactor.disable",
  "auth.tokens.create",
  "auth.tokens.list",
  "auth.tokens.revoke",
]);

export type TokenAccess = { allowed: true } | { allowed: false; message: string };

/** May a token with these scopes call this procedure? */
export function tokenAccess(path: string, scopes: readonly TokenScope[]): TokenAccess {
  const needed = TOKEN_SCOPE_OF_PROCEDURE[path];
  if (!needed || TOKEN_NEVER.has(path)) {
    return { allowed: false, message: `${path} is not available to access tokens: use the web app while logged in` };
  }
  if (!scopes.includes(needed)) return { allowed: false, message: `This token lacks the '${needed}' scope needed for ${path}` };
  return { allowed: true };
}
