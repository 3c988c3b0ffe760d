// The live feed of one session over /ws/live, kept open: on a drop it reconnects with
// exponential backoff and jitter, and after every (re)subscription it asks the page to
// catch up from the API on what the socket missed.
//
// Protocol (adapters/api/ws/live.py): a single-use ticket from POST /api/ws-tickets as
// the first message, then subscribe; "live" messages carry one committed event each.

import { api, goToSignIn, SignedOut } from "./api.js";
import { Backoff } from "./backoff.js";
import { paths, socketUrl } from "./endpoints.js";

const CLOSE_FORBIDDEN = 4003;
const CLOSE_SILENT = 4000;
// A ride sends several samples a second; this long without a message, the connection may
// be half-open (a laptop waking from sleep): reconnecting finds out.
const SILENCE_MS = 30_000;

export class LiveFeed {
  constructor(sessionId, { onMessage, onState, catchUp, backoff = new Backoff() }) {
    this.sessionId = sessionId;
    this.onMessage = onMessage;
    this.onState = onState;
    this.catchUp = catchUp;
    this.backoff = backoff;
    this.ws = null;
    this.stopped = true;
    this.retryTimer = null;
    this.silenceTimer = null;
    this.onOnline = () => {
      if (!this.stopped && this.ws === null) this.attempt();
    };
  }

  start() {
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    this.attempt();
  }

  attempt() {
    this.connect().catch((error) => (error instanceof SignedOut ? goToSignIn() : this.retry()));
  }

  stop() {
    this.stopped = true;
    window.removeEventListener("online", this.onOnline);
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    this.ws?.close(1000, "done");
    this.ws = null;
  }

  async connect() {
    clearTimeout(this.retryTimer);
    if (this.stopped) return;
    this.onState("connecting");
    let ticket;
    try {
      ticket = (await api(paths.wsTicket, { method: "POST" })).ticket;
    } catch (error) {
      if (error instanceof SignedOut) throw error;
      this.retry();
      return;
    }
    if (this.stopped) return;
    const ws = new WebSocket(socketUrl("/ws/live"));
    this.ws = ws;
    ws.addEventListener("open", () => ws.send(JSON.stringify({ type: "auth", ticket })));
    ws.addEventListener("message", (event) => this.receive(ws, event.data));
    ws.addEventListener("close", (event) => this.closed(ws, event));
  }

  receive(ws, text) {
    if (ws !== this.ws) return;
    this.watchSilence(ws);
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (message.type === "ready") {
      ws.send(JSON.stringify({ type: "subscribe", session_id: this.sessionId }));
    } else if (message.type === "subscribed") {
      this.backoff.reset();
      this.onState("open");
      Promise.resolve(this.catchUp()).catch((error) => console.warn("catch-up failed", error));
    } else if (message.type === "live") {
      this.onMessage(message.data);
    }
  }

  watchSilence(ws) {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => ws.close(CLOSE_SILENT, "silent"), SILENCE_MS);
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearTimeout(this.silenceTimer);
    if (this.stopped) return;
    if (event.code === CLOSE_FORBIDDEN) {
      this.onState("forbidden");
      return;
    }
    this.retry();
  }

  retry() {
    const delayMs = this.backoff.next();
    this.onState("reconnecting", delayMs);
    this.retryTimer = setTimeout(() => this.attempt(), delayMs);
  }
}
