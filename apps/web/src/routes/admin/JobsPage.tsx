import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { LoadError, SkeletonRows } from "../../components/QueryStates";
import { formatTime, NONE } from "../../lib/format";
import { useTRPC } from "../../lib/trpc";
import { MutationError } from "../auth/form";

export function JobsPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const jobs = useQuery(trpc.admin.jobs.queryOptions(undefined, { refetchInterval: 10_000 }));
  const run = useMutation(
    trpc.admin.runJob.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.admin.jobs.queryKey() }) }),
  );
  return (
    <div className="stack">
      <h1>Jobs</h1>
      <MutationError error={run.error} />
      {jobs.isPending ? (
        <SkeletonRows label="Loading jobs" count={4} />
      ) : jobs.isError ? (
        <LoadError title="Could not load the jobs" error={jobs.error} onRetry={() => void jobs.refetch()} />
      ) : (
        jobs.data.map((job) => (
          <section key={job.name} className="card stack" aria-labelledby={`job-${job.name}`}>
            <div className="card-head">
              <h2 id={`job-${job.name}`}>{job.name}</h2>
              <button type="button" className="btn btn-sm" onClick={() => run.mutate({ job: job.name })} disabled={run.isPending}>
                Run now <span className="visually-hidden">{job.name}</span>
              </button>
            </div>
            <p className="muted small">
              Every {Math.round(job.intervalMs / 1000)} s · next run {formatTime(job.nextRunAt)}
            </p>
            <div className="table-wrap" tabIndex={0} role="region" aria-label={`Last runs of ${job.name}`}>
              <table className="data">
                <caption className="visually-hidden">Last runs of {job.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col" className="r">
                      Duration
                    </th>
                    <th scope="col">Result</th>
                    <th scope="col">Error</th>
                  </tr>
                </thead>
                <tbody>
                  {job.runs.length === 0 && (
                    <tr>
                      <td colSpan={4} className="muted">
                        No runs yet.
                      </td>
                    </tr>
                  )}
                  {job.runs.map((r) => (
                    <tr key={r.tickKey}>
                      <td>
                        {formatTime(r.startedAt)}
                        {r.manual ? " (manual)" : ""}
                      </td>
                      <td className="r">{r.durationMs === null ? "running" : `${r.durationMs} ms`}</td>
                      <td className="break">{r.result === null || r.result === undefined ? NONE : JSON.stringify(r.result)}</td>
                      <td className="break">{r.error ?? NONE}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        ))
      )}
    </div>
  );
}
