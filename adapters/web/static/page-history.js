// History: the athlete's rides, newest first, a page at a time, and importing FIT files.

import { api, ApiError } from "./api.js";
import { $, el, show } from "./dom.js";
import { paths } from "./endpoints.js";
import { dateTime, duration, km, NONE, number } from "./format.js";
import { rideStart } from "./ride-figures.js";
import { needAthlete, reportError, startPage } from "./shell.js";

const PAGE_SIZE = 20;
const REFRESH_MS = 3000;
const MAX_REFRESHES = 60;

const isActive = (s) => s.status === "running" || s.status === "paused";
// A finished ride whose figures the projections have not written yet.
const isPending = (s) => s.status === "finished" && (!s.summary || s.summary.duration_s == null);

function rideDuration(session) {
  if (session.summary?.duration_s != null) return session.summary.duration_s;
  if (!session.ended_at) return null;
  return (Date.parse(session.ended_at) - Date.parse(session.started_at)) / 1000;
}

function row(session) {
  const summary = session.summary ?? {};
  const href = isActive(session) ? `/live?session=${session.id}` : `/rides/${session.id}`;
  const note = isActive(session) ? " (riding now)" : session.status === "discarded" ? " (discarded)" : "";
  const pending = isPending(session);
  return el(
    "tr",
    { "data-session-id": session.id, "data-status": session.status },
    el("th", { scope: "row" }, el("a", { href, text: dateTime(rideStart(session)) }), note),
    el("td", { text: duration(rideDuration(session)) }),
    el("td", { text: pending ? "…" : km(summary.distance_m) }),
    el("td", { class: "np", text: pending ? "…" : summary.normalized_power_w == null ? NONE : `${number(summary.normalized_power_w)} W` }),
    el("td", { class: "tss", text: pending ? "…" : number(summary.tss) }),
  );
}

// One request per file (the API takes one ride per request), one after the other, each
// with its own result line: imported, already there, or refused with the API's reason.
async function importFiles(athlete, files, done) {
  const results = $("#upload-results");
  results.replaceChildren();
  $("#upload-start").disabled = true;
  let imported = 0;
  try {
    for (const [index, file] of files.entries()) {
      $("#upload-progress").textContent = `Importing ${index + 1} of ${files.length}: ${file.name}…`;
      const form = new FormData();
      form.append("file", file, file.name);
      let line;
      try {
        const ride = await api(paths.athleteRides(athlete.id), { method: "POST", form });
        imported += ride.created ? 1 : 0;
        const what = ride.created ? `imported, ${number(ride.samples)} samples` : "already imported";
        line = el(
          "li",
          { "data-result": ride.created ? "imported" : "already-imported" },
          `${file.name}: ${what}, `,
          el("a", { href: `/rides/${ride.session_id}`, text: `ride of ${dateTime(ride.started_at)}` }),
        );
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        line = el("li", { "data-result": "refused", class: "form-error", text: `${file.name}: refused: ${error.message}` });
      }
      results.append(line);
    }
    $("#upload-progress").textContent = `${files.length} file${files.length === 1 ? "" : "s"} done, ${imported} imported.`;
  } finally {
    $("#upload-start").disabled = false;
  }
  await done();
}

startPage(async ({ athlete }) => {
  if (!needAthlete(athlete)) return;
  const cursors = [null]; // `before` of each page shown so far
  let showing = new Set(); // ids on the page shown now
  let refreshes = 0;
  let timer = null;

  const load = async (older = false) => {
    clearTimeout(timer);
    const before = cursors.at(-1);
    const { sessions } = await api(
      paths.sessions({ athlete_id: athlete.id, limit: PAGE_SIZE + 1, before: before ?? undefined }),
    );
    const rows = sessions.slice(0, PAGE_SIZE);
    if (older && rows.length && showing.has(rows[0].id)) {
      cursors.pop(); // the server did not page: nothing older to show
      $("#rides-older").disabled = true;
      return;
    }
    showing = new Set(rows.map((s) => s.id));
    $("#rides-body").replaceChildren(...rows.map(row));
    show("#rides-empty", rows.length === 0 && cursors.length === 1);
    $("#rides-older").disabled = sessions.length <= PAGE_SIZE;
    $("#rides-newer").disabled = cursors.length <= 1;
    $("#rides-older").dataset.before = rows.at(-1)?.started_at ?? "";
    if (rows.some(isPending) && refreshes < MAX_REFRESHES) {
      refreshes += 1;
      timer = setTimeout(() => load().catch(reportError), REFRESH_MS);
    }
  };
  $("#rides-older").addEventListener("click", () => {
    cursors.push($("#rides-older").dataset.before);
    load(true).catch(reportError);
  });
  $("#rides-newer").addEventListener("click", () => {
    cursors.pop();
    load().catch(reportError);
  });
  $("#upload-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const files = [...$("#upload-files").files];
    if (!files.length) return;
    importFiles(athlete, files, () => {
      cursors.splice(1);
      refreshes = 0;
      return load();
    }).catch(reportError);
  });
  await load();
});
