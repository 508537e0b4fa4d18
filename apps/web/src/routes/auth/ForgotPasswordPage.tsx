import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { EmailField, FormAlert, MutationError, SubmitButton } from "./form";

export function ForgotPasswordPage() {
  const trpc = useTRPC();
  const [email, setEmail] = useState("");
  const request = useMutation(trpc.auth.requestPasswordReset.mutationOptions());
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    request.mutate({ email });
  };

  return (
    <section className="page narrow auth-page">
      <h1>Forgot your password?</h1>
      {request.isSuccess ? (
        <div className="card stack">
          <FormAlert kind="success">
            If <strong>{request.variables?.email.trim()}</strong> has an account, a link to choose a new password is on its way. It works
            once, for 1 hour.
          </FormAlert>
          <p className="muted">No e-mail after a few minutes? Check the spelling and your spam folder, then try again.</p>
          <button type="button" className="btn" onClick={() => request.reset()}>
            Try another address
          </button>
        </div>
      ) : (
        <form className="card stack" onSubmit={onSubmit} noValidate aria-busy={request.isPending}>
          <p className="muted">Enter the e-mail address of your account and we will send you a link to choose a new password.</p>
          <MutationError error={request.error} />
          <EmailField value={email} onChange={setEmail} error={fieldErrors(request.error).email} />
          <SubmitButton pending={request.isPending} pendingLabel="Sending…">
            Send the link
          </SubmitButton>
        </form>
      )}
      <p className="muted center">
        Remembered it? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
