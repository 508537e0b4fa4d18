/**
 * The token page's analysis stepper against a real UCIE server over real SSE (`testing/server.tsx`): the
 * app's own tRPC client, the real `analysis.stream`, a fake upstream whose news source the test holds
 * so the page can be seen between phases.
 */
import { cleanup, screen, waitFor, within } from "@testing-library/react";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { renderWithServer, startApiServer, type ApiServer } from "../../testing/server";
import { AnalysisProgress } from "./AnalysisProgress";
import { useAnalysisStream } from "./useAnalysisStream";

function Analysis({ coinId }: { coinId: string }) {
  const stream = useAnalysisStream(coinId);
  return <AnalysisProgress {...stream} />;
}

const announcement = () => screen.getByRole("status").textContent;
const progress = () => Number(screen.getByRole("progressbar", { name: "Phases done" }).getAttribute("value"));
const steps = () => within(screen.getByRole("list", { name: "Analysis progress" })).getAllByRole("listitem");

const observers: MutationObserver[] = [];

/** Every value the progress bar takes, in order, from now on (until the test ends). */
function recordProgress(): number[] {
  const seen = [progress()];
  const observer = new MutationObserver(() => {
    const now = progress();
    if (now !== seen.at(-1)) seen.push(now);
  });
  observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  observers.push(observer);
  return seen;
}

let server: ApiServer;
beforeAll(async () => {
  server = await startApiServer();
}, 90_000);
afterAll(() => server?.close());
afterEach(async () => {
  for (const o of observers.splice(0)) o.disconnect();
  cleanup();
  sessionStorage.clear();
  await server.release();
});

/** the coin's news (CryptoCompare's path): phase 2 cannot finish while the test holds it */
const NEWS = "/data/v2/news";
const FINISHED = /^(complete|partial)( · cached)? · quality \d+\/100$/;

describe("analysis stepper", () => {
  it("shows each phase as it arrives, 1 to 4, the one being worked on, and announces it", async () => {
    await server.hold(NEWS); // phase 2 (sentiment and news) waits until the test lets it through
    renderWithServer(<Analysis coinId="bitcoin" />, server);
    expect(announcement()).toBe("Analysis starting.");
    const seen = recordProgress();

    await waitFor(() => expect(announcement()).toBe("Phase 1 of 4 done: Market snapshot. Working on Sentiment and news."));
    expect(progress()).toBe(1);
    const [market, sentiment, technical, synthesis] = steps();
    expect(market!.querySelector(".step-status")!.textContent).toMatch(FINISHED);
    expect(sentiment!.getAttribute("aria-current")).toBe("step");
    expect(sentiment!.textContent).toContain("working…");
    expect(technical!.textContent).toContain("waiting");
    expect(synthesis!.textContent).toContain("waiting");

    await server.release();
    await waitFor(() => expect(announcement()).toBe("Analysis complete: all four phases done."));
    expect(progress()).toBe(4);
    expect(steps().map((s) => s.querySelector(".step-status")!.textContent)).toEqual(Array(4).fill(expect.stringMatching(FINISHED)));
    expect(steps().some((s) => s.hasAttribute("aria-current"))).toBe(false);
    // it only ever moved forward: 0, then 1 alone while phase 2 was held, then on to 4
    expect(seen.slice(0, 2)).toEqual([0, 1]);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(seen.at(-1)).toBe(4);
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("keeps what arrived when the connection drops and resumes where it stopped", async () => {
    await server.hold(NEWS);
    renderWithServer(<Analysis coinId="ethereum" />, server);
    const seen = recordProgress();
    await waitFor(() => expect(progress()).toBe(1));
    const before = (await server.analysisStreams()).length;

    await server.drop();
    // the link comes back after its backoff, asking only for what follows phase 1
    await waitFor(async () => expect((await server.analysisStreams()).slice(before)).toEqual([expect.stringMatching(/:1$/)]), {
      timeout: 15_000,
    });
    expect(progress()).toBe(1);
    expect(steps()[0]!.querySelector(".step-status")!.textContent).toMatch(FINISHED);

    await server.release();
    await waitFor(() => expect(announcement()).toBe("Analysis complete: all four phases done."));
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says why it stopped and offers to try again", async () => {
    renderWithServer(<Analysis coinId="no-such-coin" />, server);
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("The analysis stopped: No coin 'no-such-coin' in the catalogue");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeTruthy();
    expect(announcement()).toBe("The analysis stopped.");
    expect(steps().some((s) => s.hasAttribute("aria-current"))).toBe(false);
  });

  it("asks the user to log in again when the session has ended", async () => {
    renderWithServer(<Analysis coinId="bitcoin" />, server, { signedIn: false });
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("Your session ended; log in again to continue the analysis.");
  });
});
