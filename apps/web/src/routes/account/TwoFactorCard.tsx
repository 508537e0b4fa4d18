import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { QrCode } from "../../components/QrCode";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { Field, FormAlert, MutationError, PasswordField, SubmitButton } from "../auth/form";

/** Offer a text as a file download (recovery codes, the data export); nothing is sent anywhere. */
export function downloadText(filename: string, text: string, type = "text/plain") {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Two-factor sign-in: set-up with a QR code, the recovery codes shown once, and turning it off. */
export function TwoFactorCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.auth.twoFactor.status.queryOptions());
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.twoFactor.status.queryKey() });

  return (
    <section className="card stack" aria-labelledby="two-factor-title">
      <div className="section-header">
        <div>
          <h2 id="two-factor-title">Two-factor sign-in</h2>
          <p className="muted small">
            After your password, a 6-digit code from an authenticator app on your phone (Aegis, Google Authenticator, 1Password…).
          </p>
        </div>
        {status.data && <span className={`badge ${status.data.enabled ? "live" : "cached"}`}>{status.data.enabled ? "On" : "Off"}</span>}
      </div>
      {recoveryCodes ? (
        <RecoveryCodes codes={recoveryCodes} onDone={() => setRecoveryCodes(null)} />
      ) : status.data?.enabled ? (
        <DisableTwoFactor left={status.data.recoveryCodesLeft} onDisabled={refresh} />
      ) : status.data ? (
        <SetUpTwoFactor
          onEnabled={async (codes) => {
            setRecoveryCodes(codes);
            await refresh();
          }}
        />
      ) : null}
    </section>
  );
}

function SetUpTwoFactor({ onEnabled }: { onEnabled: (codes: string[]) => Promise<void> }) {
  const trpc = useTRPC();
  const [code, setCode] = useState("");
  const setup = useMutation(trpc.auth.twoFactor.setup.mutationOptions());
  const enable = useMutation(trpc.auth.twoFactor.enable.mutationOptions({ onSuccess: (r) => onEnabled(r.recoveryCodes) }));
  const errors = fieldErrors(enable.error);

  if (!setup.data) {
    return (
      <div className="stack">
        <MutationError error={setup.error} />
        <div>
          <button type="button" className="btn btn-primary" onClick={() => setup.mutate()} disabled={setup.isPending}>
            {setup.isPending ? "Preparing…" : "Set up two-factor sign-in"}
          </button>
        </div>
      </div>
    );
  }
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    enable.mutate({ code });
  };
  return (
    <form className="stack" onSubmit={onSubmit} noValidate aria-busy={enable.isPending}>
      <ol className="steps">
        <li>Scan this QR code with your authenticator app.</li>
        <li>Or type the key by hand (time-based, 6 digits, 30 seconds).</li>
        <li>Enter the code the app shows to turn two-factor sign-in on.</li>
      </ol>
      <div className="two-factor-setup">
        <QrCode text={setup.data.uri} label="QR code for your authenticator app" />
        <div className="stack">
          <div>
            <span className="muted small" id="totp-secret-label">
              Key
            </span>
            <code className="secret" aria-labelledby="totp-secret-label">
              {setup.data.secret.replace(/(.{4})/g, "$1 ").trim()}
            </code>
          </div>
          <Field
            label="Code from the app"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]*"
            maxLength={6}
            required
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
            error={errors.code}
          />
          <MutationError error={enable.error} />
          <div>
            <SubmitButton pending={enable.isPending} pendingLabel="Checking…">
              Turn on
            </SubmitButton>
          </div>
        </div>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = `UCIE recovery codes (each works once)\n\n${codes.join("\n")}\n`;
  return (
    <div className="stack">
      <FormAlert kind="success">Two-factor sign-in is on.</FormAlert>
      <p>
        <strong>Save these recovery codes now.</strong> If you lose your phone, each one signs you in once. They are not shown again.
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="row">
        <button
          type="button"
          className="btn"
          onClick={() =>
            void navigator.clipboard.writeText(text).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className="btn" onClick={() => downloadText("ucie-recovery-codes.txt", text)}>
          Download
        </button>
        <button type="button" className="btn btn-primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}

function DisableTwoFactor({ left, onDisabled }: { left: number; onDisabled: () => Promise<void> }) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const disable = useMutation(trpc.auth.twoFactor.disable.mutationOptions({ onSuccess: onDisabled }));
  const errors = fieldErrors(disable.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    disable.mutate({ password, code });
  };
  return (
    <div className="stack">
      <p className="small">
        Sign-in asks for a code from your app. {left} of 10 recovery codes left
        {left <= 3 ? ": turn two-factor off and on again for new ones" : ""}.
      </p>
      {open ? (
        <form className="stack" onSubmit={onSubmit} noValidate aria-busy={disable.isPending} aria-label="Turn off two-factor sign-in">
          <MutationError error={disable.error} />
          <PasswordField
            label="Your password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            error={errors.password}
          />
          <Field
            label="Code from the app, or a recovery code"
            autoComplete="one-time-code"
            spellCheck={false}
            maxLength={20}
            required
            value={code}
            onChange={(e) => setCode(e.target.value)}
            error={errors.code}
          />
          <div className="row">
            <SubmitButton pending={disable.isPending} pendingLabel="Turning off…" className="btn btn-danger">
              Turn off two-factor sign-in
            </SubmitButton>
            <button type="button" className="btn" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <div>
          <button type="button" className="btn" onClick={() => setOpen(true)}>
            Turn off…
          </button>
        </div>
      )}
    </div>
  );
}
