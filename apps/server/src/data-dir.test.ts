/**
 * One process per embedded data directory, with real server processes: a second start is refused with one line
 * and touches nothing; a server killed with SIGKILL leaves nothing that blocks the next start.
 */
import { readFileSync, rmSync } from "node:fs";
import { randomUUID } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runServerProcessToExit, spawnServerProcess, type ServerProcess } from "./process";
import { createTestClient } from "./testing";

describe("two servers on one embedded data directory", () => {
  const dataDir = path.join(os.tmpdir(), `ucie-data-dir-${randomUUID()}`);
  const env = { DATA_DIR: dataDir, MARKET_DATA: "offline", ALERT_INTERVAL_SECONDS: "3600" };
  const started: ServerProcess[] = [];
  afterAll(async () => {
    await Promise.allSettled(started.map((s) => s.stop("SIGKILL")));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses the second with one line naming the directory and the first's pid; a SIGKILL leaves no lock behind", async () => {
    const first = await spawnServerProcess(env);
    started.push(first);
    const lockFile = path.join(dataDir, "ucie.lock.json");
    const lockBefore = readFileSync(lockFile, "utf8");

    const second = await runServerProcessToExit(env);
    expect(second.code).not.toBe(0);
    expect(second.stdout).toBe("");
    expect(second.stderr.trimEnd().split("\n")).toEqual([
      `The data directory ${dataDir} is in use by process ${first.pid} (ucie server): stop it first, or set DATA_DIR to another directory.`,
    ]);
    expect(second.ms).toBeLessThan(30_000); // "within seconds" even on a loaded machine: no start-up work was done
    // the first keeps serving, and its lock file is as it was
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
    expect(readFileSync(lockFile, "utf8")).toBe(lockBefore);
    const code = /one was made: ([A-Z0-9-]+)/.exec(first.output())?.[1];
    expect(code).toBeTruthy();

    await first.stop("SIGKILL");
    const next = await spawnServerProcess(env);
    started.push(next);
    expect(next.output()).not.toContain("in use");
    // same data: the access code made by the first server is still there, unused (so no new one was made)
    expect(next.output()).not.toContain("one was made");
    const res = await createTestClient(next.url)
      .trpc.auth.register.mutate({ email: "after-kill@example.com", password: "a server killed is not a lock held", accessCode: code! })
      .then(
        () => "registered",
        (e: unknown) => String(e),
      );
    expect(res).toBe("registered");
  }, 180_000);
});
