import { AsyncLocalStorage } from "node:async_hooks";

/** Who and what the current request is: every log line written while serving it carries these. */
export interface RequestStore {
  reqId: string;
  userId?: string;
}

export const requestContext = new AsyncLocalStorage<RequestStore>();
