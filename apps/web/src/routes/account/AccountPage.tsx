import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link } from "react-router";
import { DataTable } from "../../components/DataTable";
import { useMe, useResetSessionData } from "../../lib/auth";
import { useTRPC } from "../../lib/trpc";
import { FormAlert, formError } from "../auth/form";
import { AccessTokensCard } from "./AccessTokensCard";
import { ChangePasswordCard } from "./ChangePasswordCard";
import { deviceLabel } from "./device";
import { PreferencesCard } from "./PreferencesCard";
import { TwoFactorCard } from "./TwoFactorCard";
import { YourDataCard } from "./YourDataCard";

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const dateOnly = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });

export function AccountPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const { me } = useMe();
  const resetSessionData = useResetSessionData();
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const [confirmAll, setConfirmAll] = useState(false);

  const afterSignOut = () => resetSessionData(false, "/login", "You are logged out.");
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSuccess: afterSignOut }));
  const logoutAll = useMutation(trpc.auth.logoutAll.mutationOptions({ onSuccess: afterSignOut }));
  const revoke = useMutation(
    trpc.auth.revokeSession.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() }),
    }),
  );

  if (!me) return null; // RequireAuth shows the loading state and the redirect
  const busy = logout.isPending || logoutAll.isPending;
  const others = sessions.data?.filter((s) => !s.current).length ?? 0;

  return (
    <section className="page account-page">
      <div className="page-header">
        <h1>Account</h1>
        <button type="button" className="btn" onClick={() => logout.mutate()} disabled={busy}>
          {logout.isPending ? "Logging out…" : "Log out"}
        </button>
      </div>

      <div className="card account-summary">
        <dl>
          <div>
            <dt>E-mail</dt>
            <dd>
              {me.email} {me.emailVerified && <span className="badge live">confirmed</span>}
            </dd>
          </div>
          <div>
            <dt>Member since</dt>
            <dd>{dateOnly.format(new Date(me.createdAt))}</dd>
          </div>
        </dl>
        <p className="small">
          <Link to="/account/notifications">Notification settings</Link>: browser push, webhooks and what was sent.
        </p>
      </div>

      <PreferencesCard />
      <ChangePasswordCard email={me.email} />
      <TwoFactorCard />

      <div className="card stack">
        <div className="section-header">
          <div>
            <h2>Sessions</h2>
            <p className="muted small">Where your account is logged in. End any session you do not recognise.</p>
          </div>
          {confirmAll ? (
            <div className="row" role="group" aria-label="Confirm logging out everywhere">
              <span>Log out on every device, this one too?</span>
              <button type="button" className="btn btn-danger btn-sm" onClick={() => logoutAll.mutate()} disabled={busy}>
                {logoutAll.isPending ? "Logging out…" : "Yes, log out everywhere"}
              </button>
              <button type="button" className="btn btn-sm" onClick={() => setConfirmAll(false)} disabled={busy}>
                Cancel
              </button>
            </div>
          ) : (
            <button type="button" className="btn btn-danger btn-sm" onClick={() => setConfirmAll(true)} disabled={busy}>
              Log out everywhere
            </button>
          )}
        </div>

        {(logout.error || logoutAll.error) && <FormAlert>{formError(logout.error ?? logoutAll.error)}</FormAlert>}
        {revoke.error && <FormAlert>{formError(revoke.error)}</FormAlert>}

        {sessions.isLoading && (
          <div className="stack" aria-label="Loading sessions" role="status">
            <div className="skeleton" style={{ height: 40 }} />
            <div className="skeleton" style={{ height: 40 }} />
          </div>
        )}
        {sessions.isError && (
          <FormAlert>
            Could not load your sessions.{" "}
            <button type="button" className="btn btn-sm" onClick={() => void sessions.refetch()}>
              Retry
            </button>
          </FormAlert>
        )}
        {sessions.data && (
          <DataTable
            className="sessions-table cards"
            caption="Your sessions, this device first"
            columns={["Device", "IP address", "Logged in", "Ends if idle"]}
          >
            {[...sessions.data]
              .sort((a, b) => Number(b.current) - Number(a.current))
              .map((s) => (
                <tr key={s.id} className={s.current ? "current" : undefined} aria-current={s.current ? "true" : undefined}>
                  <td data-label="Device" className="card-title">
                    <span className="device">{deviceLabel(s.userAgent)}</span>{" "}
                    {s.current && <span className="badge cached">This device</span>}
                  </td>
                  <td data-label="IP address" className="num">
                    {s.ip ?? "—"}
                  </td>
                  <td data-label="Logged in">{dateTime.format(new Date(s.createdAt))}</td>
                  <td data-label="Ends if idle">{dateTime.format(new Date(s.expiresAt))}</td>
                  <td className="r">
                    {s.current ? (
                      <span className="muted small">Current</span>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-sm"
                        disabled={revoke.isPending && revoke.variables?.id === s.id}
                        onClick={() => revoke.mutate({ id: s.id })}
                        aria-label={`End session: ${deviceLabel(s.userAgent)}, logged in ${dateTime.format(new Date(s.createdAt))}`}
                      >
                        {revoke.isPending && revoke.variables?.id === s.id ? "Ending…" : "End session"}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
          </DataTable>
        )}
        {sessions.data && others === 0 && <p className="muted small">No other device is logged in.</p>}
      </div>

      <AccessTokensCard />
      <YourDataCard />
    </section>
  );
}
