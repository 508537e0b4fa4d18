/** Small form parts shared by the account pages: labelled fields with hints and server errors. */
import { EMAIL_MAX_LENGTH, PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, PASSWORD_RECOMMENDED_LENGTH } from "@ucie/api/limits";
import { useId, useState, type InputHTMLAttributes, type ReactNode } from "react";
import { MIN_STRENGTH_SCORE, usePasswordScore } from "../../lib/password-strength";
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
  onChange: (value: string) => void;
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
  userInputs,
}: {
  label: string;
  error?: string;
  value: string;
  onChange: (value: string) => void;
  isNew?: boolean;
  autoComplete: string;
  /** what an attacker would try first (the e-mail address): the meter counts it as guessable */
  userInputs?: string[];
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
      {isNew && <StrengthHint id={hintId} password={value} userInputs={userInputs} />}
    </div>
  );
}

/**
 * The meter: length first (8 needed, 15 or more recommended, no other rules), then zxcvbn-ts's estimate,
 * which catches what length cannot ("qwer1234", the user's own address). It says what the server will say.
 */
function StrengthHint({ id, password, userInputs }: { id: string; password: string; userInputs?: string[] }) {
  const n = [...password].length;
  const [min, good] = [PASSWORD_MIN_LENGTH, PASSWORD_RECOMMENDED_LENGTH];
  const score = usePasswordScore(n >= min ? password : "", userInputs);
  const level =
    n === 0 ? "empty" : n < min ? "short" : score === null ? "checking" : score < MIN_STRENGTH_SCORE ? "weak" : score < 4 ? "ok" : "strong";
  const text = {
    empty: `At least ${min} characters; ${good} or more is better. A few unrelated words make a good one.`,
    short: `${n} characters: at least ${min} are needed.`,
    checking: `${n} characters.`,
    weak: `${n} characters, but easy to guess: it looks like a common password or pattern. Add a few unrelated words.`,
    ok: n < good ? `${n} characters: good, but ${good} or more is much stronger.` : `${n} characters: good.`,
    strong: `${n} characters: a strong password.`,
  }[level];
  const filled = { empty: 0, short: 1, checking: 1, weak: 1, ok: 3, strong: 4 }[level];
  return (
    <div className="strength" data-level={level}>
      <div className="strength-bar" aria-hidden="true">
        {[1, 2, 3, 4].map((i) => (
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
  disabled = false,
  children,
}: {
  pending: boolean;
  pendingLabel: string;
  className?: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <button type="submit" className={className} disabled={pending || disabled}>
      {pending ? pendingLabel : children}
    </button>
  );
}

/** Where to go after login: only a path on this site (never "//evil.example" or "https://..."). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}
