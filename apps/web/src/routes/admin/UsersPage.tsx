import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useMe } from "../../lib/auth";
import { formatTime, NONE } from "../../lib/format";
import { fieldErrors, useTRPC } from "../../lib/trpc";
import { Field, MutationError } from "../auth/form";
import { PagedTable } from "./PagedTable";

export function UsersPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me } = useMe();
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const [deleting, setDeleting] = useState<{ id: string; email: string } | null>(null);
  const [typed, setTyped] = useState("");
  const list = useInfiniteQuery(
    trpc.admin.users.infiniteQueryOptions(
      { limit: 50, ...(applied ? { search: applied } : {}) },
      { getNextPageParam: (p) => p.nextCursor ?? undefined },
    ),
  );
  const onSuccess = () => queryClient.invalidateQueries({ queryKey: trpc.admin.users.pathKey() });
  const disable = useMutation(trpc.admin.disableUser.mutationOptions({ onSuccess }));
  const enable = useMutation(trpc.admin.enableUser.mutationOptions({ onSuccess }));
  const endSessions = useMutation(trpc.admin.endUserSessions.mutationOptions({ onSuccess }));
  const setRole = useMutation(trpc.admin.setRole.mutationOptions({ onSuccess }));
  const remove = useMutation(
    trpc.admin.deleteUser.mutationOptions({
      onSuccess: async () => {
        setDeleting(null);
        setTyped("");
        await onSuccess();
      },
    }),
  );
  const error = disable.error ?? enable.error ?? endSessions.error ?? setRole.error;
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  const onSearch = (e: FormEvent) => {
    e.preventDefault();
    setApplied(search.trim());
  };

  return (
    <div className="stack">
      <h1>Users</h1>
      <form className="admin-form-row" role="search" onSubmit={onSearch}>
        <Field label="Search by e-mail" type="search" value={search} onChange={(e) => setSearch(e.target.value)} maxLength={254} />
        <button type="submit" className="btn">
          Search
        </button>
      </form>
      <MutationError error={error} />
      {deleting && (
        <form
          className="card stack"
          aria-labelledby="delete-user-title"
          onSubmit={(e) => {
            e.preventDefault();
            remove.mutate({ userId: deleting.id, confirmEmail: typed });
          }}
        >
          <h2 id="delete-user-title">Delete {deleting.email}?</h2>
          <p className="muted small">The account, its sessions, watchlist and alerts are deleted. This cannot be undone.</p>
          <MutationError error={remove.error} />
          <Field
            label={`Type ${deleting.email} to confirm`}
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
            error={fieldErrors(remove.error).confirmEmail}
          />
          <div className="row">
            <button type="submit" className="btn btn-danger" disabled={typed.trim().toLowerCase() !== deleting.email || remove.isPending}>
              Delete account
            </button>
            <button type="button" className="btn btn-ghost" onClick={() => setDeleting(null)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <PagedTable
        list={list}
        label={{ region: "Users", loading: "Loading users", error: "Could not load the users" }}
        caption="Accounts, newest first"
        columns={["E-mail", "Role", "State", "2FA", "Last login", { label: "Sessions", className: "r" }]}
        actions
      >
        {rows.map((u) => (
          <tr key={u.id}>
            <td>{u.email}</td>
            <td>{u.role}</td>
            <td>{u.disabledAt ? "disabled" : u.emailVerified ? "verified" : "unverified"}</td>
            <td>{u.twoFactor ? "on" : "off"}</td>
            <td>{u.lastLoginAt ? formatTime(u.lastLoginAt) : NONE}</td>
            <td className="r">{u.activeSessions}</td>
            <td className="admin-actions">
              {u.disabledAt ? (
                <button type="button" className="btn btn-sm" onClick={() => enable.mutate({ userId: u.id })}>
                  Enable <span className="visually-hidden">{u.email}</span>
                </button>
              ) : (
                <button type="button" className="btn btn-sm" onClick={() => disable.mutate({ userId: u.id })}>
                  Disable <span className="visually-hidden">{u.email}</span>
                </button>
              )}
              <button type="button" className="btn btn-sm" onClick={() => endSessions.mutate({ userId: u.id })}>
                End sessions <span className="visually-hidden">of {u.email}</span>
              </button>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => setRole.mutate({ userId: u.id, role: u.role === "admin" ? "user" : "admin" })}
              >
                {u.role === "admin" ? "Demote" : "Make admin"} <span className="visually-hidden">{u.email}</span>
              </button>
              {u.id !== me?.id && (
                <button type="button" className="btn btn-sm btn-danger" onClick={() => setDeleting({ id: u.id, email: u.email })}>
                  Delete <span className="visually-hidden">{u.email}</span>
                </button>
              )}
            </td>
          </tr>
        ))}
      </PagedTable>
    </div>
  );
}
