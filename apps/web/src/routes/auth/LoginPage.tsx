import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from "react-router";
import { useMe, useResetSessionData } from "../../lib/auth";
import { errorCode, fieldErrors, useTRPC } from "../../lib/trpc";
import { EmailField, FormAlert, formError, PasswordField, safeNext, SubmitButton } from "./form";

export function LoginPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const notice = (location.state as { notice?: string } | null)?.notice;
  const { me } = useMe();
  const resetSessionData = useResetSessionData();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");

  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: async () => {
        await resetSessionData(true);
        await navigate(next, { replace: true });
      },
    }),
  );
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  const errors = fieldErrors(login.error);
  const unverified = errorCode(login.error) === "FORBIDDEN";

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    resend.reset();
    login.mutate({ email, password });
  };

  // already signed in (and not in the middle of this form's own success): go on
  if (me && !login.isPending && !login.isSuccess) return <Navigate to={next} replace />;

  return (
    <section className="page narrow auth-page">
      <h1>Log in</h1>
      {next !== "/" && <p className="muted">Log in to continue to that page.</p>}
      <form className="card stack" onSubmit={onSubmit} noValidate aria-busy={login.isPending}>
        {notice && !login.error && <FormAlert kind="success">{notice}</FormAlert>}
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
