/**
 * The one mailer (nodemailer: a maintained SMTP client, so no hand-written SMTP). With SMTP_URL unset,
 * messages (links included) are written to the server log, which is how a fresh install verifies e-mail.
 */
import nodemailer from "nodemailer";
import type { Logger } from "./logger";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

export function createMailer(opts: { smtpUrl?: string; from: string; logger: Logger }): Mailer {
  if (!opts.smtpUrl) {
    return {
      async send(m) {
        // No SMTP configured: the operator reads the link from the log. Only the mail body is logged.
        opts.logger.info({ mail: { to: m.to, subject: m.subject } }, `e-mail (SMTP_URL unset):\n${m.text}`);
      },
    };
  }
  const transport = nodemailer.createTransport(opts.smtpUrl);
  return {
    async send(m) {
      await transport.sendMail({ from: opts.from, ...m });
    },
  };
}
