import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { formatTime, NONE } from "../../lib/format";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { Field, FormAlert, MutationError, SubmitButton } from "../auth/form";
import { PagedTable } from "./PagedTable";

const EXPIRY_CHOICES = [
  { label: "1 day", hours: 24 },
  { label: "7 days", hours: 24 * 7 },
  { label: "30 days", hours: 24 * 30 },
  { label: "Never", hours: null },
] as const;

/** "Copy", then "Copied"; `what` ("code UCIE-…") completes the name for screen readers. */
function CopyButton({ text, what }: { text: string; what: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      className="btn btn-sm"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(() => setCopied(true));
      }}
    >
      {copied ? "Copied" : "Copy"}
      <span className="visually-hidden"> {what}</span>
    </button>
  );
}

export function AccessCodesPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [count, setCount] = useState("1");
  const [expiry, setExpiry] = useState("168");
  const [note, setNote] = useState("");
  const list = useInfiniteQuery(
    trpc.admin.accessCodes.infiniteQueryOptions({ limit: 50 }, { getNextPageParam: (p) => p.nextCursor ?? undefined }),
  );
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.admin.accessCodes.pathKey() });
  const create = useMutation(trpc.admin.createAccessCodes.mutationOptions({ onSuccess: refresh }));
  const revoke = useMutation(trpc.admin.revokeAccessCode.mutationOptions({ onSuccess: refresh }));
  const errors = fieldErrors(create.error);

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ count: Number(count), expiresInHours: expiry === "never" ? null : Number(expiry), note: note || undefined });
  };
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="stack">
      <h1>Access codes</h1>
      <form className="card stack" onSubmit={onCreate} noValidate aria-labelledby="new-codes-title">
        <h2 id="new-codes-title">New codes</h2>
        <MutationError error={create.error} />
        <div className="admin-form-row">
          <Field
            label="How many"
            type="number"
            min={1}
            max={50}
            inputMode="numeric"
            value={count}
            onChange={(e) => setCount(e.target.value)}
            error={errors.count}
          />
          <div className="field">
            <label htmlFor="code-expiry">Expires after</label>
            <select id="code-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
              {EXPIRY_CHOICES.map((c) => (
                <option key={c.label} value={c.hours === null ? "never" : String(c.hours)}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <Field
            label="Note (optional)"
            maxLength={200}
            value={note}
            onChange={(e) => setNote(e.target.value)}
            error={errors.note}
            hint="Who the code is for."
          />
        </div>
        <SubmitButton pending={create.isPending} pendingLabel="Creating…">
          Create codes
        </SubmitButton>
      </form>

      {create.data && (
        <div className="card stack" role="status" aria-labelledby="created-title">
          <h2 id="created-title">New codes: shown this once</h2>
          <FormAlert kind="success">Copy them now: only their first group is kept.</FormAlert>
          <ul className="new-codes">
            {create.data.codes.map((c) => (
              <li key={c.code}>
                <code>{c.code}</code> <CopyButton text={c.code} what={`code ${c.code}`} />
                <div className="muted small break">
                  <span className="code-link">{c.link}</span> <CopyButton text={c.link} what={`registration link for ${c.code}`} />
                </div>
              </li>
            ))}
          </ul>
        </div>
      )}

      <h2>All codes</h2>
      <PagedTable
        list={list}
        label={{ region: "Access codes", loading: "Loading access codes", error: "Could not load the access codes" }}
        caption="Access codes, newest first"
        columns={["Code", "Status", "Note", "Created", "Expires", "Redeemed by"]}
        actions
      >
        {rows.map((c) => (
          <tr key={c.id}>
            <td>
              <code>{c.prefix}…</code>
            </td>
            <td>{c.status}</td>
            <td>{c.note ?? NONE}</td>
            <td>{formatTime(c.createdAt)}</td>
            <td>{c.expiresAt ? formatTime(c.expiresAt) : "never"}</td>
            <td>{c.redeemedAt ? `${c.redeemedByEmail ?? "deleted account"}, ${formatTime(c.redeemedAt)}` : NONE}</td>
            <td>
              {c.status === "usable" && (
                <button
                  type="button"
                  className="btn btn-sm btn-danger"
                  onClick={() => revoke.mutate({ id: c.id })}
                  disabled={revoke.isPending}
                >
                  Revoke <span className="visually-hidden">code {c.prefix}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </PagedTable>
      <MutationError error={revoke.error} />
    </div>
  );
}
