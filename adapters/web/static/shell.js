// What every signed-in page does first: check the user is signed in, load their athletes,
// show the athlete picker and the sign-out button, and report errors in one place.

import { api, goToSignIn, isSignedIn, SignedOut, signOut } from "./api.js";
import { $, el, showError } from "./dom.js";

const ATHLETE_KEY = "wattlog.athlete";

export function chosenAthlete(athletes) {
  const wanted = localStorage.getItem(ATHLETE_KEY);
  return athletes.find((a) => a.id === wanted) ?? athletes[0] ?? null;
}

export function chooseAthlete(id) {
  localStorage.setItem(ATHLETE_KEY, id);
}

export function accountBar(athletes, athlete) {
  const bar = $("#account");
  if (!bar) return;
  bar.replaceChildren();
  if (athletes.length > 1) {
    const select = el(
      "select",
      { id: "athlete-picker", "aria-label": "Athlete" },
      athletes.map((a) => el("option", { value: a.id, selected: a.id === athlete?.id, text: a.name })),
    );
    select.addEventListener("change", () => {
      chooseAthlete(select.value);
      location.reload();
    });
    bar.append(select);
  } else if (athlete) {
    bar.append(el("span", { class: "athlete-name", text: athlete.name }));
  }
  bar.append(el("button", { type: "button", class: "link", id: "sign-out", onclick: signOut }, "Sign out"));
  bar.hidden = false;
}

export function reportError(error) {
  if (error instanceof SignedOut) {
    goToSignIn();
    return;
  }
  console.error(error);
  showError("#page-error", error);
}

// Runs `main({athletes, athlete})` on a signed-in page.
export async function startPage(main) {
  if (!isSignedIn()) {
    goToSignIn();
    return;
  }
  try {
    const { athletes } = await api("/api/athletes");
    const athlete = chosenAthlete(athletes);
    accountBar(athletes, athlete);
    await main({ athletes, athlete });
  } catch (error) {
    reportError(error);
  }
}

// For pages that show one athlete's data: a pointer to the settings page when there is none.
export function needAthlete(athlete) {
  if (athlete) return true;
  const main = $("#main");
  main.replaceChildren(
    el(
      "section",
      { class: "card notice" },
      el("h1", { text: "Create your athlete profile first" }),
      el("p", {}, "wattlog needs your FTP and weight to compute zones and training load. ",
        el("a", { href: "/settings?welcome=1", text: "Go to athlete settings" }), "."),
    ),
  );
  return false;
}
