/**
 * Keepalive echoes counted instead of sent. Where no message is lost and every end answers echoes
 * (in-memory links without faults, every end an RpcEndpoint), an echo changes nothing but its
 * receiver's "last heard" time, and a keepalive whose timeout is at least its first delay and its
 * period cannot expire while its echoes are answered: so the echo, its reply and the timer tick
 * that sent it (three events, two thirds of a fabric-scale run's) change no outcome. A twin whose
 * links vouch for that counts each session's echoes from its keepalive schedule instead, so a run's
 * message counts still hold them.
 */

/** Whether a keepalive with these timers can expire on a session whose echoes are all answered. */
export function keepaliveExpiresAnswered(timers: { firstMs: number; repeatMs: number; timeoutMs: number }): boolean {
  return timers.timeoutMs < Math.max(timers.firstMs, timers.repeatMs);
}

export class EchoTally {
  /** Each open session's first keepalive tick (ms), by its endpoint. */
  private readonly firstTicks = new Map<object, number>();
  /** Echoes of the sessions already closed, and those sent as sessions opened. */
  private settled = 0;

  constructor(private readonly repeatMs: number) {}

  /** A session opened: its keepalive ticks from `firstTickMs`, and it echoed once on opening if `echoedOnOpen`. */
  open(session: object, firstTickMs: number, echoedOnOpen: boolean): void {
    if (echoedOnOpen) this.settled++;
    this.firstTicks.set(session, firstTickMs);
  }

  /** A session closed at `nowMs`: its echoes so far are settled. */
  close(session: object, nowMs: number): void {
    const first = this.firstTicks.get(session);
    if (first === undefined) return;
    this.firstTicks.delete(session);
    this.settled += this.ticks(first, nowMs);
  }

  /** Echoes sent by every session up to `nowMs` (each also answered: as many replies went the other way). */
  echoesUntil(nowMs: number): number {
    let n = this.settled;
    for (const first of this.firstTicks.values()) n += this.ticks(first, nowMs);
    return n;
  }

  private ticks(firstMs: number, untilMs: number): number {
    return untilMs < firstMs ? 0 : Math.floor((untilMs - firstMs) / this.repeatMs) + 1;
  }
}
