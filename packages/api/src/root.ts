import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { createCallerFactory, createTRPCRouter } from "./trpc";
import { adminRouter } from "./routers/admin";
import { alertsRouter } from "./routers/alerts";
import { analysisRouter } from "./routers/analysis";
import { authRouter } from "./routers/auth";
import { notificationsRouter } from "./routers/notifications";
import { preferencesRouter } from "./routers/preferences";
import { screenerRouter } from "./routers/screener";
import { systemRouter } from "./routers/system";
import { tokensRouter } from "./routers/tokens";
import { watchlistRouter } from "./routers/watchlist";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  tokens: tokensRouter,
  analysis: analysisRouter,
  watchlist: watchlistRouter,
  alerts: alertsRouter,
  notifications: notificationsRouter,
  screener: screenerRouter,
  preferences: preferencesRouter,
  system: systemRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);

/** What each procedure takes and returns, as the client sees it (after superjson): the one alias the web reads types through. */
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
