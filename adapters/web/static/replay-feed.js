// A replay over /ws/replay (protocol: adapters/replay/protocol.py and session.py). If the
// socket drops, it reconnects with backoff and jitter and resumes where it was.

import { api, goToSignIn, SignedOut } from "./api.js";
import { Backoff } from "./backoff.js";
import { paths, socketUrl } from "./endpoints.js";
import { WINDOW_S } from "./ride-state.js";

const CLOSE_FORBIDDEN = 4003;
const CLOSE_BAD_MESSAGE = 4400;

export class ReplayFeed {
  constructor(sessionId, handlers, backoff = new Backoff()) {
    this.sessionId = sessionId;
    this.handlers = handlers; // ready, events, seeked, state, ended, connection
    this.backoff = backoff;
    this.ws = null;
    this.stopped = false;
    this.position = 0;
    this.playing = false;
    this.speed = 1;
    this.skipPauses = false;
  }

  start(speed, skipPauses = false) {
    this.speed = speed;
    this.skipPauses = skipPauses;
    this.attempt();
  }

  attempt() {
    this.connect().catch((error) => (error instanceof SignedOut ? goToSignIn() : this.retry()));
  }

  async connect() {
    this.handlers.connection("connecting");
    const { ticket } = await api(paths.wsTicket, { method: "POST" });
    const ws = new WebSocket(socketUrl("/ws/replay"));
    this.ws = ws;
    ws.addEventListener("open", () =>
      ws.send(
        JSON.stringify({
          type: "auth",
          ticket,
          session_id: this.sessionId,
          speed: this.speed,
          position_s: this.position,
          play: this.playing,
          skip_pauses: this.skipPauses,
        }),
      ),
    );
    ws.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    ws.addEventListener("close", (event) => {
      if (ws !== this.ws || this.stopped) return;
      this.ws = null;
      if (event.code === CLOSE_FORBIDDEN || event.code === CLOSE_BAD_MESSAGE) {
        this.handlers.connection("refused", event.reason);
        return;
      }
      this.retry();
    });
  }

  receive(frame) {
    if (typeof frame.position_s === "number") this.position = frame.position_s;
    if (frame.type === "ready") {
      this.backoff.reset();
      this.handlers.connection("open");
      this.handlers.ready(frame);
    } else if (frame.type === "state") {
      this.playing = frame.playing;
      this.speed = frame.speed;
      this.skipPauses = frame.skip_pauses ?? this.skipPauses;
      this.handlers.state(frame);
    } else if (frame.type in this.handlers) {
      this.handlers[frame.type](frame);
    }
  }

  retry() {
    const delayMs = this.backoff.next();
    this.handlers.connection("reconnecting", delayMs);
    setTimeout(() => this.attempt(), delayMs);
  }

  send(message) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(message));
  }

  play() {
    this.send({ type: "play" });
  }

  pause() {
    this.send({ type: "pause" });
  }

  setSpeed(speed) {
    this.speed = speed;
    this.send({ type: "speed", speed });
  }

  setSkipPauses(skip) {
    this.skipPauses = skip;
    this.send({ type: "skip_pauses", skip });
  }

  seek(positionS) {
    this.send({ type: "seek", position_s: positionS, context_s: WINDOW_S });
  }
}
