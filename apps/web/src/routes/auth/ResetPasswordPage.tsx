import { useMutation } from "@tanstack/react-query";
import { useEffect, useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { useResetSessionData } from "../../lib/auth";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { FormAlert, formError, PasswordField, SubmitButton } from "./form";

export function ResetPasswordPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const resetSessionData = useResetSessionData();
  // read once, then out of the address bar
  const [token] = useState(() => params.get("token") ?? "");
  const [password, setPassword] = useState("");
  useEffect(() => {
    if (token) window.history.replaceState(window.history.state, "", "/reset-password");
  }, [token]);

  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      onSuccess: async () => {
        // every session of the account has ended, this browser's included
        await resetSessionData(false, "/login", "Your password is changed and every session was logged out. Log in with the new password.");
      },
    }),
  );
  const errors = fieldErrors(reset.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    reset.mutate({ token, password });
  };

  if (!token) {
    return (
      <section className="page narrow auth-page">
        <h1>Choose a new password</h1>
        <div className="card stack">
          <FormAlert>This link has no token. Open the link from the e-mail exactly as it is, or ask for a new one.</FormAlert>
          <Link className="btn" to="/forgot-password">
            Ask for a new link
          </Link>
        </div>
      </section>
    );
  }

  return (
    <section className="page narrow auth-page">
      <h1>Choose a new password</h1>
      <form className="card stack" onSubmit={onSubmit} noValidate aria-busy={reset.isPending}>
        {formError(reset.error) && (
          <FormAlert>
            {formError(reset.error)} <Link to="/forgot-password">Ask for a new link</Link>
          </FormAlert>
        )}
        {errors.token && (
          <FormAlert>
            This link is not valid. <Link to="/forgot-password">Ask for a new link</Link>
          </FormAlert>
        )}
        <PasswordField
          label="New password"
          isNew
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
        />
        <p className="muted small">Changing your password logs you out everywhere, on every device.</p>
        <SubmitButton pending={reset.isPending} pendingLabel="Saving…">
          Set the new password
        </SubmitButton>
      </form>
    </section>
  );
}
