import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useResetSessionData } from "../../lib/auth";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { Field, FormAlert, MutationError, PasswordField, SubmitButton } from "../auth/form";
import { downloadText } from "./TwoFactorCard";

const CONFIRMATION = "delete my account";

/** Download a copy of everything the account holds, or delete the account. */
export function YourDataCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const resetSessionData = useResetSessionData();
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [password, setPassword] = useState("");
  const [typed, setTyped] = useState("");

  const download = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const data = await queryClient.fetchQuery({ ...trpc.auth.exportData.queryOptions(), staleTime: 0, gcTime: 0 });
      downloadText(`ucie-data-${new Date().toISOString().slice(0, 10)}.json`, JSON.stringify(data, null, 2), "application/json");
    } catch {
      setExportError("Could not prepare your data. Check your connection and try again.");
    } finally {
      setExporting(false);
    }
  };

  const remove = useMutation(
    trpc.auth.deleteAccount.mutationOptions({
      onSuccess: () => resetSessionData(false, "/login", "Your account and its data are deleted."),
    }),
  );
  const errors = fieldErrors(remove.error);
  const confirmed = typed.trim().toLowerCase() === CONFIRMATION;
  const onDelete = (e: FormEvent) => {
    e.preventDefault();
    if (confirmed) remove.mutate({ password });
  };

  return (
    <section className="card stack" aria-labelledby="your-data-title">
      <div>
        <h2 id="your-data-title">Your data</h2>
        <p className="muted small">Your profile, sessions, watchlist, alerts, alert history and sign-in log, as one JSON file.</p>
      </div>
      {exportError && <FormAlert>{exportError}</FormAlert>}
      <div>
        <button type="button" className="btn" onClick={() => void download()} disabled={exporting}>
          {exporting ? "Preparing…" : "Download my data"}
        </button>
      </div>

      <h3>Delete account</h3>
      {deleting ? (
        <form className="stack danger-zone" onSubmit={onDelete} noValidate aria-busy={remove.isPending} aria-label="Delete account">
          <p className="small">
            This deletes your account, watchlist, alerts and sessions at once, and cannot be undone. Download your data first if you want a
            copy.
          </p>
          <MutationError error={remove.error} />
          <PasswordField
            label="Your password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            error={errors.password}
          />
          <Field
            label={`Type "${CONFIRMATION}" to confirm`}
            autoComplete="off"
            spellCheck={false}
            required
            maxLength={40}
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
          <div className="row">
            <SubmitButton pending={remove.isPending} pendingLabel="Deleting…" className="btn btn-danger" disabled={!confirmed}>
              Delete my account
            </SubmitButton>
            <button type="button" className="btn" onClick={() => setDeleting(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div>
          <button type="button" className="btn btn-danger" onClick={() => setDeleting(true)}>
            Delete account…
          </button>
        </div>
      )}
    </section>
  );
}
