import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { FormAlert, MutationError, PasswordField, SubmitButton } from "../auth/form";

/** Change the password in session: every other device is logged out, this one stays. */
export function ChangePasswordCard({ email }: { email: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [currentPassword, setCurrentPassword] = useState("");
  const [newPassword, setNewPassword] = useState("");
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: () => {
        setCurrentPassword("");
        setNewPassword("");
        return queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
    }),
  );
  const errors = fieldErrors(change.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate({ currentPassword, newPassword });
  };

  return (
    <form className="card stack" onSubmit={onSubmit} noValidate aria-busy={change.isPending} aria-labelledby="change-password-title">
      <div>
        <h2 id="change-password-title">Change password</h2>
        <p className="muted small">Every other device is logged out; this one stays logged in.</p>
      </div>
      {change.isSuccess && <FormAlert kind="success">Your password is changed. Other devices were logged out.</FormAlert>}
      <MutationError error={change.error} />
      {/* lets password managers file the new password under the right account */}
      <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
      <PasswordField
        label="Current password"
        autoComplete="current-password"
        value={currentPassword}
        onChange={(v) => {
          setCurrentPassword(v);
          if (change.isSuccess) change.reset();
        }}
        error={errors.currentPassword}
      />
      <PasswordField
        label="New password"
        isNew
        autoComplete="new-password"
        value={newPassword}
        onChange={setNewPassword}
        error={errors.newPassword}
        userInputs={[email]}
      />
      <div>
        <SubmitButton pending={change.isPending} pendingLabel="Changing…">
          Change password
        </SubmitButton>
      </div>
    </form>
  );
}
