import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link, useLocation, useSearchParams } from "react-router";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { EmailField, FormAlert, MutationError, SubmitButton } from "./form";

export function CheckInboxPage() {
  const trpc = useTRPC();
  const [params] = useSearchParams();
  const location = useLocation();
  const registered = (location.state as { registered?: boolean } | null)?.registered === true;
  const [email, setEmail] = useState(params.get("email") ?? "");
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    resend.mutate({ email });
  };

  return (
    <section className="page narrow auth-page">
      <h1>Check your inbox</h1>
      <div className="card stack">
        {registered && <FormAlert kind="success">Your account is created.</FormAlert>}
        <p>
          {params.get("email") ? (
            <>
              We sent a confirmation link to <strong>{params.get("email")}</strong>.
            </>
          ) : (
            "We sent you a confirmation link."
          )}{" "}
          Open it to confirm your address, then log in. The link works for 24 hours.
        </p>
        <p className="muted">Nothing arrived after a few minutes? Look in your spam folder, or ask for a new link.</p>
        <form className="stack" onSubmit={onSubmit} noValidate>
          <EmailField value={email} onChange={setEmail} error={fieldErrors(resend.error).email} />
          <MutationError error={resend.error} />
          {resend.isSuccess && (
            <FormAlert kind="success">If {email} has an account waiting for confirmation, a new link is on its way.</FormAlert>
          )}
          <SubmitButton pending={resend.isPending} pendingLabel="Sending…" className="btn">
            Send a new link
          </SubmitButton>
        </form>
      </div>
      <p className="muted center">
        Already confirmed? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
