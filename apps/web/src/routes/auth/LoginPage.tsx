import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useSearchParams } from "react-router";
import { useMe, useResetSessionData } from "../../lib/auth";
import { errorCode, fieldErrors, useTRPC } from "../../lib/trpc";
import { EmailField, Field, FormAlert, formError, PasswordField, safeNext, SubmitButton } from "./form";

export function LoginPage() {
  const trpc = useTRPC();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const notice = (location.state as { notice?: string } | null)?.notice;
  const { me } = useMe();
  const resetSessionData = useResetSessionData();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  /** the password was right and the account has two-factor on: ask for the code */
  const [secondStep, setSecondStep] = useState(false);
  const [expiredNotice, setExpiredNotice] = useState<string | null>(null);

  const signedIn = () => resetSessionData(true, next);
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: async (result) => {
        if ("twoFactorRequired" in result) {
          setPassword("");
          setSecondStep(true);
          return;
        }
        await signedIn();
      },
    }),
  );
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  const errors = fieldErrors(login.error);
  const unverified = errorCode(login.error) === "FORBIDDEN";

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    resend.reset();
    setExpiredNotice(null);
    login.mutate({ email, password });
  };

  // already signed in (and not in the middle of this form's own success): go on
  if (me && !login.isPending && !login.isSuccess) return <Navigate to={next} replace />;

  if (secondStep) {
    return (
      <TwoFactorStep
        onDone={signedIn}
        onExpired={(message) => {
          setSecondStep(false);
          login.reset();
          setExpiredNotice(message);
        }}
      />
    );
  }

  return (
    <section className="page narrow auth-page">
      <h1>Log in</h1>
      {next !== "/" && <p className="muted">Log in to continue to that page.</p>}
      <form className="card stack" onSubmit={onSubmit} noValidate aria-busy={login.isPending}>
        {notice && !login.error && !expiredNotice && <FormAlert kind="success">{notice}</FormAlert>}
        {expiredNotice && <FormAlert>{expiredNotice}</FormAlert>}
        {formError(login.error) && (
          <FormAlert>
            {formError(login.error)}
            {unverified && (
              <div className="alert-actions">
                <button
                  type="button"
                  className="btn btn-sm"
                  disabled={resend.isPending || resend.isSuccess}
                  onClick={() => resend.mutate({ email })}
                >
                  {resend.isPending ? "Sending…" : resend.isSuccess ? "Link sent" : "Send a new confirmation link"}
                </button>
              </div>
            )}
          </FormAlert>
        )}
        {resend.isSuccess && <FormAlert kind="success">A new confirmation link is on its way to {email}.</FormAlert>}
        {resend.isError && <FormAlert>{formError(resend.error)}</FormAlert>}
        <EmailField autoComplete="username" value={email} onChange={setEmail} error={errors.email} />
        <PasswordField label="Password" autoComplete="current-password" value={password} onChange={setPassword} error={errors.password} />
        <div className="form-row-end">
          <Link to="/forgot-password">Forgot your password?</Link>
        </div>
        <SubmitButton pending={login.isPending} pendingLabel="Logging in…">
          Log in
        </SubmitButton>
      </form>
      <p className="muted center">
        New here? <Link to="/register">Create an account</Link> with your access code.
      </p>
    </section>
  );
}

/** The second step of a login with two-factor on: a code from the app, or one recovery code. */
function TwoFactorStep({ onDone, onExpired }: { onDone: () => Promise<void>; onExpired: (message: string) => void }) {
  const trpc = useTRPC();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState("");
  const verify = useMutation(
    trpc.auth.verifyTwoFactor.mutationOptions({
      onSuccess: onDone,
      onError: (err) => {
        if (errorCode(err) === "UNAUTHORIZED") onExpired(err.message);
      },
    }),
  );
  const errors = fieldErrors(verify.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    verify.mutate(useRecovery ? { recoveryCode: code } : { code });
  };
  const switchMode = () => {
    setUseRecovery((r) => !r);
    setCode("");
    verify.reset();
  };

  return (
    <section className="page narrow auth-page">
      <h1>Two-factor sign-in</h1>
      <p className="muted">
        {useRecovery
          ? "Enter one of the recovery codes you saved when you turned two-factor sign-in on. Each works once."
          : "Open your authenticator app and enter the 6-digit code it shows for UCIE."}
      </p>
      <form className="card stack" onSubmit={onSubmit} noValidate aria-busy={verify.isPending}>
        {formError(verify.error) && errorCode(verify.error) !== "UNAUTHORIZED" && <FormAlert>{formError(verify.error)}</FormAlert>}
        {useRecovery ? (
          <Field
            key="recovery"
            label="Recovery code"
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            required
            maxLength={20}
            placeholder="XXXXX-XXXXX"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={errors.recoveryCode}
          />
        ) : (
          <Field
            key="code"
            label="Authentication code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            required
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
            error={errors.code}
            hint="The code changes every 30 seconds."
          />
        )}
        <SubmitButton pending={verify.isPending} pendingLabel="Checking…">
          Verify
        </SubmitButton>
        <button type="button" className="btn btn-ghost btn-sm" onClick={switchMode}>
          {useRecovery ? "Use a code from the app instead" : "Use a recovery code"}
        </button>
      </form>
    </section>
  );
}
