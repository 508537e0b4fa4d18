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
