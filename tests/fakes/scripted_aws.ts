/**
 * A scripted in-memory CloudTrail behind our own {@link AwsApis} interface (not the
 * SDK): pages of events per region, and a queue of errors to answer with first.
 */
import type { AwsApis, LookupEventsCallOptions, LookupEventsPage, LookupEventsRequest } from "../../src/aws/clients.ts";

/** One stored event. */
export interface ScriptedEvent {
  eventId: string;
  eventTimeMs: number;
}

/** An AWS-like error with a code and an HTTP status, as the SDK throws them. */
export function awsError(code: string, status: number): Error {
  const error = new Error(`${code} from the scripted AWS`);
  error.name = code;
  Object.assign(error, { $metadata: { httpStatusCode: status }, $fault: status >= 500 ? "server" : "client" });
  return error;
}

/** What the fake saw. */
export interface ScriptedCall {
  region: string;
  request: LookupEventsRequest;
}

/** Builds a scripted {@link AwsApis}. */
export class ScriptedAws implements AwsApis {
  readonly calls: ScriptedCall[] = [];
  credentialRefreshes = 0;
  readonly #events: Map<string, ScriptedEvent[]>;
  readonly #faults = new Map<string, Error[]>();
  readonly #pageSize: number;

  constructor(eventsByRegion: Record<string, ScriptedEvent[]>, pageSize = 50) {
    this.#events = new Map(
      Object.entries(eventsByRegion).map(([region, events]) => [
        region,
        [...events].sort((a, b) => b.eventTimeMs - a.eventTimeMs),
      ]),
    );
    this.#pageSize = pageSize;
  }

  /** Queues errors that the next calls in `region` answer with, one each. */
  failNext(region: string, ...errors: Error[]): void {
    this.#faults.set(region, [...(this.#faults.get(region) ?? []), ...errors]);
  }

  readonly account = {
    callerIdentity: () => Promise.resolve({ accountId: "111122223333", arn: "arn:aws:iam::111122223333:user/test" }),
    enabledRegions: () => Promise.resolve([...this.#events.keys()].sort()),
  };

  eventHistory(region: string) {
    return {
      lookupEvents: async (
        request: LookupEventsRequest,
        options?: LookupEventsCallOptions,
      ): Promise<LookupEventsPage> => {
        await options?.beforeEachAttempt?.();
        this.calls.push({ region, request });
        const fault = this.#faults.get(region)?.shift();
        if (fault) throw fault;
        const matching = (this.#events.get(region) ?? []).filter((event) =>
          event.eventTimeMs >= request.startTime.getTime() && event.eventTimeMs <= request.endTime.getTime()
        );
        const offset = request.nextToken === undefined ? 0 : Number(request.nextToken);
        const page = matching.slice(offset, offset + this.#pageSize);
        const next = offset + this.#pageSize;
        return {
          events: page.map((event) => ({
            eventId: event.eventId,
            eventTime: new Date(event.eventTimeMs),
            cloudTrailEvent: JSON.stringify({ eventID: event.eventId, eventSource: "s3.amazonaws.com" }),
          })),
          nextToken: next < matching.length ? String(next) : undefined,
        };
      },
    };
  }

  trailBucket(): never {
    throw new Error("The scripted AWS has no S3: trail bucket tests use the emulator");
  }

  athena(): never {
    throw new Error("The scripted AWS has no Athena: Athena tests use the emulator");
  }

  refreshCredentials(): void {
    this.credentialRefreshes += 1;
  }
}

/** `count` events one second apart, newest at `endMs`, several sharing each second when `perSecond` > 1. */
export function scriptedEvents(prefix: string, count: number, endMs: number, perSecond = 1): ScriptedEvent[] {
  return Array.from({ length: count }, (_, index) => ({
    eventId: `${prefix}-${index}`,
    eventTimeMs: endMs - Math.floor(index / perSecond) * 1000,
  }));
}
