import { useMutation } from "@tanstack/react-query";
import { ACCESS_CODE_MAX_LENGTH } from "@ucie/api/limits";
import { useState, type FormEvent } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { EmailField, Field, MutationError, PasswordField, SubmitButton } from "./form";

export function RegisterPage() {
  const trpc = useTRPC();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [accessCode, setAccessCode] = useState(params.get("code") ?? "");
  const register = useMutation(
    trpc.auth.register.mutationOptions({
      onSuccess: (user) => navigate(`/check-inbox?email=${encodeURIComponent(user.email)}`, { state: { registered: true } }),
    }),
  );
  const errors = fieldErrors(register.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    register.mutate({ email, password, accessCode });
  };

  return (
    <section className="page narrow auth-page">
      <h1>Create your account</h1>
      <p className="muted">UCIE is invite-only: you need an access code from the person who runs this server.</p>
      <form className="card stack" onSubmit={onSubmit} noValidate aria-busy={register.isPending}>
        <MutationError error={register.error} />
        <EmailField value={email} onChange={setEmail} error={errors.email} />
        <PasswordField
          label="Password"
          isNew
          autoComplete="new-password"
          value={password}
          onChange={setPassword}
          error={errors.password}
          userInputs={[email]}
        />
        <Field
          label="Access code"
          autoComplete="off"
          spellCheck={false}
          autoCapitalize="characters"
          required
          maxLength={ACCESS_CODE_MAX_LENGTH}
          placeholder="UCIE-XXXX-XXXX-XXXX"
          value={accessCode}
          onChange={(e) => setAccessCode(e.target.value)}
          error={errors.accessCode}
          hint="Each code creates one account."
        />
        <SubmitButton pending={register.isPending} pendingLabel="Creating account…">
          Create account
        </SubmitButton>
      </form>
      <p className="muted center">
        Already have an account? <Link to="/login">Log in</Link>
      </p>
    </section>
  );
}
