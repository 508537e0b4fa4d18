import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";
import { DataTable } from "../../components/DataTable";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { Field, FormAlert, MutationError, SubmitButton } from "../auth/form";

type Scope = "read" | "watchlist" | "alerts";
const SCOPES: { value: Scope; label: string }[] = [
  { value: "read", label: "read: coins, analyses, your watchlist and alerts" },
  { value: "watchlist", label: "watchlist: add, edit and remove watchlist coins" },
  { value: "alerts", label: "alerts: create, change and delete alerts, and follow their firings" },
];
const EXPIRY = [
  { value: "30", label: "30 days" },
  { value: "90", label: "90 days" },
  { value: "365", label: "1 year" },
  { value: "", label: "Never" },
];
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const when = (d: Date | string | null, none: string) => (d ? dateOnly.format(new Date(d)) : none);

/** Personal access tokens for scripts and bots (`@ucie/client`): made here, shown once, revocable at any time. */
export function AccessTokensCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const id = useId();
  const tokens = useQuery(trpc.auth.tokens.list.queryOptions());
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["read"]);
  const [expiry, setExpiry] = useState("90");
  const [created, setCreated] = useState<{ name: string; token: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.auth.tokens.list.queryKey() });
  const create = useMutation(
    trpc.auth.tokens.create.mutationOptions({
      onSuccess: (r, input) => {
        setCreated({ name: input.name, token: r.token });
        setCopied(false);
        setName("");
        return refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.auth.tokens.revoke.mutationOptions({ onSuccess: refresh }));
  const errors = fieldErrors(create.error);
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name, scopes, ...(expiry ? { expiresInDays: Number(expiry) } : {}) });
  };
  const toggle = (s: Scope, on: boolean) => setScopes((cur) => (on ? [...cur, s] : cur.filter((x) => x !== s)));

  return (
    <section className="card stack" aria-labelledby={`${id}-title`}>
      <div>
        <h2 id={`${id}-title`}>Access tokens</h2>
        <p className="muted small">
          For your own scripts and bots (<code>@ucie/client</code>): a token acts for you within its scopes, never for password, two-factor,
          sessions or tokens. Revoke one and it stops working at once.
        </p>
      </div>

      {created && (
        <div className="stack new-token" role="status">
          <p>
            <strong>Copy the token “{created.name}” now.</strong> It is not shown again.
          </p>
          <code className="token-secret">{created.token}</code>
          <div className="row">
            <button
              type="button"
              className="btn"
              onClick={() =>
                void navigator.clipboard.writeText(created.token).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? "Copied" : "Copy token"}
            </button>
            <button type="button" className="btn" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}

      <form
        className="stack alert-form token-form"
        onSubmit={onSubmit}
        noValidate
        aria-busy={create.isPending}
        aria-label="Create an access token"
      >
        <MutationError error={create.error} />
        <Field
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={100}
          error={errors.name}
          hint="What will use it?"
        />
        <fieldset aria-describedby={errors.scopes ? `${id}-scopes-error` : undefined}>
          <legend>Scopes</legend>
          {SCOPES.map((s) => (
            <label key={s.value} className="checkbox">
              <input type="checkbox" checked={scopes.includes(s.value)} onChange={(e) => toggle(s.value, e.target.checked)} /> {s.label}
            </label>
          ))}
          {errors.scopes && (
            <span className="error" id={`${id}-scopes-error`}>
              {errors.scopes}
            </span>
          )}
        </fieldset>
        <div className="field">
          <label htmlFor={`${id}-expiry`}>Expires after</label>
          <select id={`${id}-expiry`} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            {EXPIRY.map((o) => (
              <option key={o.label} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <SubmitButton pending={create.isPending} pendingLabel="Creating…">
            Create token
          </SubmitButton>
        </div>
      </form>

      {revoke.error && <MutationError error={revoke.error} />}
      {tokens.isError && <FormAlert>Could not load your tokens.</FormAlert>}
      {tokens.data && tokens.data.length > 0 && (
        <DataTable
          className="tokens-table cards"
          caption="Your access tokens"
          columns={["Name", "Token", "Scopes", "Created", "Last used", "Expires"]}
        >
          {tokens.data.map((t) => (
            <tr key={t.id}>
              <td data-label="Name" className="card-title">
                {t.name}
              </td>
              <td data-label="Token">
                <code>{t.prefix}…</code>
              </td>
              <td data-label="Scopes">{t.scopes.join(", ")}</td>
              <td data-label="Created">{when(t.createdAt, "—")}</td>
              <td data-label="Last used">{when(t.lastUsedAt, "Never")}</td>
              <td data-label="Expires">{when(t.expiresAt, "Never")}</td>
              <td className="r">
                <button
                  type="button"
                  className="btn btn-sm btn-danger"
                  disabled={revoke.isPending && revoke.variables?.id === t.id}
                  onClick={() => revoke.mutate({ id: t.id })}
                  aria-label={`Revoke token ${t.name}`}
                >
                  {revoke.isPending && revoke.variables?.id === t.id ? "Revoking…" : "Revoke"}
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {tokens.data?.length === 0 && <p className="muted small">No access tokens yet.</p>}
    </section>
  );
}
