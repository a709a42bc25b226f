/**
 * The worker module of the trail file pool: the trail source's job loop with the program's own
 * counter (summary sections, principals, findings), whose state is merged on the main thread.
 */
/// <reference lib="deno.worker" />
import { serveTrailJobs } from "../sources/trail_worker.ts";
import { ActivityCounter, type ActivityCounterOptions } from "./activity_counter.ts";

serveTrailJobs((options) => new ActivityCounter(options as ActivityCounterOptions));
