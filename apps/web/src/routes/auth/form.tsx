/** Small form parts shared by the account pages: labelled fields with hints and server errors. */
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_RECOMMENDED_LENGTH } from "@ucie/api/limits";
import { useId, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { errorCode, fieldErrors, isApiError } from "../../lib/trpc";

interface FieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "id"> {
  label: string;
  error?: string;
  hint?: ReactNode;
}

export function Field({ label, error, hint, ...input }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={[errorId, hintId].filter(Boolean).join(" ") || undefined}
        {...input}
      />
      {error && (
        <span className="error" id={errorId}>
          {error}
        </span>
      )}
      {hint && (
        <span className="hint" id={hintId}>
          {hint}
        </span>
      )}
    </div>
  );
}

/** The login form names it "username" so that password managers pair it with the password; the other forms say "email". */
export function EmailField({
  value,
  onChange,
  error,
  autoComplete = "email",
}: {
  value: string;
  onChange(value: string): void;
  error?: string;
  autoComplete?: "email" | "username";
}) {
  return (
    <Field
      label="E-mail"
      type="email"
      autoComplete={autoComplete}
      required
      maxLength={EMAIL_MAX_LENGTH}
      value={value}
      onChange={(e) => onChange(e.target.value)}
      error={error}
    />
  );
}

/** A password field with a show/hide toggle, and optionally the length guidance for a new password. */
export function PasswordField({
  label,
  error,
  value,
  onChange,
  isNew = false,
  autoComplete,
}: {
  label: string;
  error?: string;
  value: string;
  onChange(value: string): void;
  isNew?: boolean;
  autoComplete: string;
}) {
  const id = useId();
  const [shown, setShown] = useState(false);
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="password-input">
        <input
          id={id}
          type={shown ? "text" : "password"}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          autoComplete={autoComplete}
          required
          maxLength={PASSWORD_MAX_LENGTH}
          aria-invalid={error ? true : undefined}
          aria-describedby={[error ? errorId : null, isNew ? hintId : null].filter(Boolean).join(" ") || undefined}
        />
        <button type="button" className="btn btn-sm btn-ghost" aria-pressed={shown} onClick={() => setShown((s) => !s)}>
          {shown ? "Hide" : "Show"}
          <span className="visually-hidden"> password</span>
        </button>
      </div>
      {error && (
        <span className="error" id={errorId}>
          {error}
        </span>
      )}
      {isNew && <StrengthHint id={hintId} password={value} />}
    </div>
  );
}

/** Length is what makes a password strong: we ask for 8, recommend 15 or more, and set no other rules. */
function StrengthHint({ id, password }: { id: string; password: string }) {
  const n = [...password].length;
  const [min, good] = [PASSWORD_MIN_LENGTH, PASSWORD_RECOMMENDED_LENGTH];
  const level = n === 0 ? "empty" : n < min ? "short" : n < good ? "ok" : "strong";
  const text = {
    empty: `At least ${min} characters; ${good} or more is better. A few unrelated words make a good one.`,
    short: `${n} characters: at least ${min} are needed.`,
    ok: `${n} characters: enough, but ${good} or more is much stronger.`,
    strong: `${n} characters: a strong length.`,
  }[level];
  const filled = level === "empty" ? 0 : level === "short" ? 1 : level === "ok" ? 2 : 3;
  return (
    <div className="strength" data-level={level}>
      <div className="strength-bar" aria-hidden="true">
        {[1, 2, 3].map((i) => (
          <span key={i} className={i <= filled ? "on" : undefined} />
        ))}
      </div>
      <span className="hint" id={id} aria-live="polite">
        {text}
      </span>
    </div>
  );
}

/** The message to show for a failed call, unless it belongs beside a field. */
export function formError(err: unknown): string | null {
  if (!err) return null;
  if (Object.keys(fieldErrors(err)).length) return null;
  if (!isApiError(err) || !errorCode(err)) return "Something went wrong. Check your connection and try again.";
  return err.message;
}

export function FormAlert({ children, kind = "error" }: { children: ReactNode; kind?: "error" | "success" }) {
  return (
    <div className={kind === "error" ? "form-error" : "form-success"} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}

/** Shows a failed call's message, unless the message belongs beside a field. */
export function MutationError({ error }: { error: unknown }) {
  const message = formError(error);
  return message ? <FormAlert>{message}</FormAlert> : null;
}

/** Disabled while the call runs, and says so, so a second click cannot send it twice. */
export function SubmitButton({
  pending,
  pendingLabel,
  className = "btn btn-primary",
  children,
}: {
  pending: boolean;
  pendingLabel: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <button type="submit" className={className} disabled={pending}>
      {pending ? pendingLabel : children}
    </button>
  );
}

/** Where to go after login: only a path on this site (never "//evil.example" or "https://..."). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
