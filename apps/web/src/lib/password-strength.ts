/**
 * The strength meter's estimator: zxcvbn-ts, the same one the server uses to refuse weak passwords. Its
 * dictionaries weigh ~400 KB, so they load on first use, only on pages with a new-password field: the
 * home page's budget is untouched.
 */
import { useEffect, useState } from "react";

type Estimator = (password: string, userInputs: string[]) => number;

let loading: Promise<Estimator> | undefined;

function loadEstimator(): Promise<Estimator> {
  loading ??= Promise.all([import("@zxcvbn-ts/core"), import("@zxcvbn-ts/language-common")]).then(([core, common]) => {
    const factory = new core.ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs, maxLength: 256 });
    return (password, userInputs) => factory.check(password, userInputs).score;
  });
  return loading;
}

/** zxcvbn's 0-4 score for a password, or null while the estimator loads (or the field is empty). */
export function usePasswordScore(password: string, userInputs: string[] = []): number | null {
  const [score, setScore] = useState<number | null>(null);
  const inputs = userInputs.join("\n");
  useEffect(() => {
    if (!password) return;
    let live = true;
    // a short pause so fast typing scores once, not per key
    const timer = setTimeout(() => {
      loadEstimator()
        .then((estimate) => {
          if (live) setScore(estimate(password, inputs ? inputs.split("\n").flatMap((s) => [s, s.split("@")[0] ?? s]) : []));
        })
        .catch(() => live && setScore(null));
    }, 120);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [password, inputs]);
  return password ? score : null;
}

/** The server refuses a score under this (packages/api/src/auth/password-strength.ts). */
export const MIN_STRENGTH_SCORE = 3;
