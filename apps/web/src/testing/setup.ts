// happy-dom has no EventSource; lib/event-source.ts extends it when loaded. The real implementation stands in.
import { EventSource } from "eventsource";

globalThis.EventSource ??= EventSource as unknown as typeof globalThis.EventSource;
