/** The account e-mails. Links point at PUBLIC_URL; the raw token travels only here. */
import type { MailMessage } from "../lib/mail";
import type { Services } from "../services";

export function verificationEmail(publicUrl: string, to: string, token: string): MailMessage {
  const link = `${publicUrl}/verify?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: "Confirm your e-mail address for UCIE",
    text: [
      "Welcome to UCIE.",
      "",
      "Open this link to confirm your e-mail address (it works once, for 24 hours):",
      link,
      "",
      "If you did not create an account, ignore this message.",
    ].join("\n"),
    html: `<p>Welcome to UCIE.</p><p><a href="${link}">Confirm your e-mail address</a> (the link works once, for 24 hours).</p><p>If you did not create an account, ignore this message.</p>`,
  };
}

export function resetEmail(publicUrl: string, to: string, token: string): MailMessage {
  const link = `${publicUrl}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    to,
    subject: "Reset your UCIE password",
    text: [
      "Someone (hopefully you) asked to reset the password of your UCIE account.",
      "",
      "Open this link to choose a new password (it works once, for 1 hour):",
      link,
      "",
      "If you did not ask for this, ignore this message: your password stays as it is.",
    ].join("\n"),
    html: `<p>Someone (hopefully you) asked to reset the password of your UCIE account.</p><p><a href="${link}">Choose a new password</a> (the link works once, for 1 hour).</p><p>If you did not ask for this, ignore this message: your password stays as it is.</p>`,
  };
}

/**
 * Send without making the caller wait: answering "is there such an account?" by how long a request
 * takes would undo the always-{ ok: true } answers. Failures are logged (without the message body).
 */
export function sendInBackground(services: Services, message: MailMessage, onSent?: () => Promise<void>): Promise<void> {
  return (async () => {
    try {
      await services.mailer.send(message);
      await onSent?.();
    } catch (err) {
      services.logger.error({ err: { message: (err as Error).message }, subject: message.subject }, "could not send e-mail");
    }
  })();
}

/** To the owner of an account that many failed logins are aimed at (once per window). */
export function loginAlertEmail(publicUrl: string, to: string, rule: { limit: number; windowMs: number }): MailMessage {
  const minutes = Math.round(rule.windowMs / 60_000);
  return {
    to,
    subject: "Many failed log-ins to your UCIE account",
    text: [
      `Your UCIE account has seen more than ${rule.limit} failed log-ins in ${minutes} minutes.`,
      "",
      "If that was not you, someone may be guessing your password. Your account is not locked: browsers you have",
      "logged in with before can still log in as usual; others are slowed down for a while.",
      "",
      `If your password is short or used elsewhere, change it: ${publicUrl}/forgot-password`,
    ].join("\n"),
    html: `<p>Your UCIE account has seen more than ${rule.limit} failed log-ins in ${minutes} minutes.</p><p>If that was not you, someone may be guessing your password. Your account is not locked: browsers you have logged in with before can still log in as usual; others are slowed down for a while.</p><p>If your password is short or used elsewhere, <a href="${publicUrl}/forgot-password">change it</a>.</p>`,
  };
}

/** To the owner of an address someone tried to register again (instead of telling the one who tried). */
export function accountExistsEmail(publicUrl: string, to: string): MailMessage {
  return {
    to,
    subject: "Someone tried to register with your e-mail address on UCIE",
    text: [
      "Someone tried to create a UCIE account with this e-mail address, which already has one.",
      "",
      `If it was you: log in at ${publicUrl}/login, or choose a new password at ${publicUrl}/forgot-password.`,
      "If it was not you, you need do nothing: no account was created and yours is unchanged.",
    ].join("\n"),
    html: `<p>Someone tried to create a UCIE account with this e-mail address, which already has one.</p><p>If it was you: <a href="${publicUrl}/login">log in</a>, or <a href="${publicUrl}/forgot-password">choose a new password</a>.</p><p>If it was not you, you need do nothing: no account was created and yours is unchanged.</p>`,
  };
}
