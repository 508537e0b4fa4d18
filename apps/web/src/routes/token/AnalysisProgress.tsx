/** The analysis' four phases as a stepper (with a live announcement for screen readers), and why it stopped. */
import { PHASES as ANALYSIS_PHASES } from "@ucie/api/limits";
import { qualityExplanation } from "./Sections";
import type { PhaseMap, useAnalysisStream, StreamState } from "./useAnalysisStream";

const PHASES = [1, 2, 3, 4] as const;

function PhaseStepper({ phases, state }: { phases: PhaseMap; state: StreamState }) {
  const done = PHASES.filter((p) => phases[p]).length;
  const running = state === "error" ? null : (PHASES.find((p) => !phases[p]) ?? null);
  const latest = PHASES.filter((p) => phases[p]).at(-1);
  const announcement =
    state === "error"
      ? "The analysis stopped."
      : done === 4
        ? "Analysis complete: all four phases done."
        : latest
          ? `Phase ${latest} of 4 done: ${ANALYSIS_PHASES[latest].label}. Working on ${ANALYSIS_PHASES[running ?? 4].label}.`
          : "Analysis starting.";
  return (
    <div className="card stepper-card">
      <ol className="stepper" aria-label="Analysis progress">
        {PHASES.map((p) => {
          const ev = phases[p];
          const status = ev ? ev.status : p === running ? "running" : "waiting";
          return (
            <li key={p} className={`step ${status}`} aria-current={p === running ? "step" : undefined}>
              <span className="step-dot" aria-hidden="true">
                {ev ? (ev.status === "complete" ? "✓" : ev.status === "partial" ? "!" : "×") : p}
              </span>
              <span className="step-text">
                <span className="step-label">{ANALYSIS_PHASES[p].label}</span>
                <span className="step-status muted small">
                  {ev ? (
                    <>
                      {ev.status}
                      {ev.fromCache ? " · cached" : ""} · <span title={qualityExplanation(ev)}>quality {ev.qualityScore}/100</span>
                    </>
                  ) : status === "running" ? (
                    "working…"
                  ) : (
                    "waiting"
                  )}
                </span>
              </span>
            </li>
          );
        })}
      </ol>
      <progress className="stepper-progress" max={4} value={done} aria-label="Phases done">
        {done} of 4
      </progress>
      <p className="visually-hidden" aria-live="polite" role="status">
        {announcement}
      </p>
    </div>
  );
}

type AnalysisProgressProps = Pick<ReturnType<typeof useAnalysisStream>, "phases" | "state" | "error" | "restart">;

export function AnalysisProgress({ phases, state, error, restart }: AnalysisProgressProps) {
  return (
    <>
      <PhaseStepper phases={phases} state={state} />
      {error && (
        <div className="form-error" role="alert">
          {error.code === "UNAUTHORIZED"
            ? "Your session ended; log in again to continue the analysis."
            : `The analysis stopped: ${error.message}`}{" "}
          <button type="button" className="btn btn-sm" onClick={restart}>
            Try again
          </button>
        </div>
      )}
    </>
  );
}
