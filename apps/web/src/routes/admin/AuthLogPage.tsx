import { useInfiniteQuery, useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { formatTime, NONE } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";
import { downloadText } from "../account/TwoFactorCard";
import { Field, MutationError } from "../auth/form";
import { PagedTable } from "./PagedTable";

interface Filter {
  user?: string;
  eventType?: string;
  success?: boolean;
  ip?: string;
  from?: Date;
  to?: Date;
}

export function AuthLogPage() {
  const trpc = useTRPC();
  const [form, setForm] = useState({ user: "", eventType: "", success: "", ip: "", from: "", to: "" });
  const [filter, setFilter] = useState<Filter>({});
  const input = {
    limit: 50,
    ...(filter.user ? { user: filter.user } : {}),
    // the server names the allowed event types and answers a clear error for any other
    ...(filter.eventType ? { eventType: filter.eventType as "login" } : {}),
    ...(filter.success !== undefined ? { success: filter.success } : {}),
    ...(filter.ip ? { ip: filter.ip } : {}),
    ...(filter.from ? { from: filter.from } : {}),
    ...(filter.to ? { to: filter.to } : {}),
  };
  const list = useInfiniteQuery(trpc.admin.authLog.infiniteQueryOptions(input, { getNextPageParam: (p) => p.nextCursor ?? undefined }));
  const csv = useMutation(
    trpc.admin.authLogCsv.mutationOptions({
      onSuccess: (r) => downloadText(`ucie-auth-log-${new Date().toISOString().slice(0, 10)}.csv`, r.csv, "text/csv"),
    }),
  );
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const onApply = (e: FormEvent) => {
    e.preventDefault();
    setFilter({
      ...(form.user.trim() ? { user: form.user.trim() } : {}),
      ...(form.eventType.trim() ? { eventType: form.eventType.trim() } : {}),
      ...(form.success ? { success: form.success === "yes" } : {}),
      ...(form.ip.trim() ? { ip: form.ip.trim() } : {}),
      ...(form.from ? { from: new Date(form.from) } : {}),
      ...(form.to ? { to: new Date(form.to) } : {}),
    });
  };
  const { limit: _limit, ...csvFilter } = input;
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <div className="stack">
      <h1>Auth log</h1>
      <form className="card admin-filters" onSubmit={onApply} aria-label="Filter the auth log">
        <Field label="User (e-mail or id)" value={form.user} onChange={set("user")} maxLength={254} />
        <Field label="Event type" value={form.eventType} onChange={set("eventType")} placeholder="login" maxLength={64} />
        <div className="field">
          <label htmlFor="log-success">Outcome</label>
          <select id="log-success" value={form.success} onChange={set("success")}>
            <option value="">any</option>
            <option value="yes">succeeded</option>
            <option value="no">failed</option>
          </select>
        </div>
        <Field label="IP address" value={form.ip} onChange={set("ip")} maxLength={64} />
        <Field label="From" type="datetime-local" value={form.from} onChange={set("from")} />
        <Field label="To" type="datetime-local" value={form.to} onChange={set("to")} />
        <div className="row">
          <button type="submit" className="btn btn-primary">
            Apply
          </button>
          <button type="button" className="btn" onClick={() => csv.mutate(csvFilter)} disabled={csv.isPending}>
            {csv.isPending ? "Preparing…" : "Download CSV"}
          </button>
        </div>
      </form>
      <MutationError error={csv.error} />
      <PagedTable
        list={list}
        label={{ region: "Auth log entries", loading: "Loading the auth log", error: "Could not load the auth log" }}
        caption="Auth log, newest first"
        columns={["Time", "Event", "Outcome", "User", "By", "IP", "Detail"]}
        skeletonRows={6}
      >
        {rows.map((r) => (
          <tr key={r.id}>
            <td>{formatTime(r.timestamp)}</td>
            <td>{r.eventType}</td>
            <td>{r.success ? "ok" : "failed"}</td>
            <td>{r.userEmail ?? (r.userId ? r.userId : NONE)}</td>
            <td>{r.actorEmail ?? NONE}</td>
            <td>{r.ipAddress ?? NONE}</td>
            <td>{r.errorMessage ?? NONE}</td>
          </tr>
        ))}
      </PagedTable>
    </div>
  );
}
