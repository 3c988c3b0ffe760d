// Athlete settings: create a profile, or change name, FTP, thresholds, CP and W′, weight,
// zones and the time zone (set from the browser's at creation).

import { api, ApiError } from "./api.js";
import { $, el, params, show, showError } from "./dom.js";
import { paths } from "./endpoints.js";
import { browserTimeZone, timeZones, todayIn } from "./days.js";
import { day } from "./format.js";
import { accountBar, chooseAthlete, startPage } from "./shell.js";

const optionalInt = (input) => (input.value === "" ? null : Math.round(Number(input.value)));

function fillProfile(athlete) {
  $("#profile-name").value = athlete?.name ?? "";
  $("#profile-ftp").value = athlete?.ftp_w ?? "";
  $("#profile-weight").value = athlete?.weight_kg ?? "";
  $("#profile-max-hr").value = athlete?.max_hr ?? "";
  $("#profile-threshold-hr").value = athlete?.threshold_hr ?? "";
  const zone = athlete?.time_zone ?? browserTimeZone();
  $("#profile-time-zone").replaceChildren(...timeZones(zone, browserTimeZone()).map((z) => el("option", { value: z, text: z.replaceAll("_", " ") })));
  $("#profile-time-zone").value = zone;
  $("#profile-ftp-from").value = todayIn(zone);
  const creating = !athlete;
  show("#profile-ftp-from-label", !creating);
  show("#profile-ftp-from", !creating);
  $("#profile-title").textContent = creating ? "Create your athlete profile" : `Profile of ${athlete.name}`;
  $("#profile-save").textContent = creating ? "Create profile" : "Save";
}

function renderZones(athlete) {
  const zones = athlete.power_zones.zones;
  $("#zones-table").replaceChildren(
    el(
      "table",
      {},
      el("caption", { class: "visually-hidden", text: "Power zones in watts" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Zone" }), el("th", { scope: "col", text: "From" }), el("th", { scope: "col", text: "To" }))),
      el(
        "tbody",
        {},
        zones.map((z) =>
          el("tr", {}, el("th", { scope: "row", text: `Z${z.zone}` }), el("td", { text: `${z.from_w} W` }), el("td", { text: z.to_w === null ? "and above" : `${z.to_w} W` })),
        ),
      ),
    ),
  );
  $("#zones-bounds").value = athlete.power_zones.upper_bounds_pct.join(", ");
  $("#ftp-history").replaceChildren(
    ...[...athlete.ftp_history]
      .reverse()
      .map((entry) => el("li", { text: `${entry.ftp_w} W from ${day(entry.effective_from)}` })),
  );
}

function renderPowerThresholds(athlete) {
  $("#cp-watts").value = athlete.cp_w ?? "";
  $("#cp-w-prime").value = athlete.w_prime_j == null ? "" : athlete.w_prime_j / 1000;
  $("#cp-from").value = todayIn(athlete.time_zone);
  $("#cp-history").replaceChildren(
    ...[...athlete.power_threshold_history].reverse().map((entry) => {
      const cp = entry.cp_w == null ? "CP = FTP" : `CP ${entry.cp_w} W`;
      const wPrime = entry.w_prime_j == null ? "W′ 20.0 kJ" : `W′ ${(entry.w_prime_j / 1000).toFixed(1)} kJ`;
      return el("li", { text: `${cp}, ${wPrime} from ${day(entry.effective_from)}` });
    }),
  );
}

function renderHrThresholds(athlete) {
  $("#hr-max").value = athlete.max_hr ?? "";
  $("#hr-lthr").value = athlete.threshold_hr ?? "";
  $("#hr-from").value = todayIn(athlete.time_zone);
  $("#hr-history").replaceChildren(
    ...[...athlete.hr_threshold_history].reverse().map((entry) => {
      const values = [
        entry.threshold_hr == null ? "no LTHR" : `LTHR ${entry.threshold_hr} bpm`,
        entry.max_hr == null ? "no max HR" : `max HR ${entry.max_hr} bpm`,
      ].join(", ");
      const from = entry.effective_from == null ? "from the start" : `from ${day(entry.effective_from)}`;
      return el("li", { text: `${values} ${from}` });
    }),
  );
}

function showAthlete(athlete) {
  fillProfile(athlete);
  $("#athlete-id").textContent = athlete?.id ?? "";
  show("#athlete-id-line", Boolean(athlete));
  show("#profile-card");
  show("#cp-card", Boolean(athlete));
  if (athlete) renderPowerThresholds(athlete);
  show("#hr-card", Boolean(athlete));
  if (athlete) renderHrThresholds(athlete);
  show("#zones-card", Boolean(athlete));
  show("#ftp-history-card", Boolean(athlete));
  if (athlete) renderZones(athlete);
}

async function saveProfile(athlete) {
  const body = {
    name: $("#profile-name").value.trim(),
    weight_kg: Number($("#profile-weight").value),
    max_hr: optionalInt($("#profile-max-hr")),
    threshold_hr: optionalInt($("#profile-threshold-hr")),
  };
  const ftp = Math.round(Number($("#profile-ftp").value));
  const zone = $("#profile-time-zone").value;
  if (!athlete) return api(paths.athletes, { method: "POST", body: { ...body, ftp_w: ftp, time_zone: zone } });
  let updated = await api(paths.athlete(athlete.id), { method: "PATCH", body });
  if (zone !== athlete.time_zone) {
    // Past rides move to their days in the new zone (the projections re-bucket them).
    updated = await api(paths.athleteTimeZone(athlete.id), { method: "PUT", body: { time_zone: zone } });
  }
  if (ftp !== athlete.ftp_w) {
    // A new FTP is history, not an overwrite: rides keep the FTP in force on their day.
    updated = await api(paths.athleteFtp(athlete.id), {
      method: "POST",
      body: { ftp_w: ftp, effective_from: $("#profile-ftp-from").value || todayIn(zone) },
    });
  }
  return updated;
}

startPage(async ({ athlete }) => {
  let current = athlete;
  show("#settings-welcome", !current && params().has("welcome"));
  showAthlete(current);

  $("#profile-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("#profile-error", null);
    if (!$("#profile-form").reportValidity()) return;
    try {
      const created = !current;
      current = await saveProfile(current);
      chooseAthlete(current.id);
      showAthlete(current);
      accountBar((await api(paths.athletes)).athletes, current);
      $("#profile-saved").textContent = created ? "Profile created. You can start a ride now." : "Saved.";
      if (created) {
        $("#profile-saved").append(" ", el("a", { href: "/live", text: "Go to the live page" }));
        show("#settings-welcome", false);
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError("#profile-error", error);
    }
  });

  $("#cp-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("#cp-error", null);
    if (!$("#cp-form").reportValidity()) return;
    const kj = $("#cp-w-prime").value;
    try {
      current = await api(paths.athletePowerThresholds(current.id), {
        method: "POST",
        body: {
          cp_w: optionalInt($("#cp-watts")),
          w_prime_j: kj === "" ? null : Math.round(Number(kj) * 1000),
          effective_from: $("#cp-from").value || todayIn(current.time_zone),
        },
      });
      renderPowerThresholds(current);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError("#cp-error", error);
    }
  });

  $("#hr-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("#hr-error", null);
    if (!$("#hr-form").reportValidity()) return;
    try {
      current = await api(paths.athleteHrThresholds(current.id), {
        method: "POST",
        body: {
          max_hr: optionalInt($("#hr-max")),
          threshold_hr: optionalInt($("#hr-lthr")),
          effective_from: $("#hr-from").value || todayIn(current.time_zone),
        },
      });
      fillProfile(current);
      renderHrThresholds(current);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError("#hr-error", error);
    }
  });

  const saveZones = async (zones) => {
    showError("#zones-error", null);
    try {
      current = await api(paths.athlete(current.id), { method: "PATCH", body: { power_zones: zones } });
      renderZones(current);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError("#zones-error", error);
    }
  };
  $("#zones-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const bounds = $("#zones-bounds")
      .value.split(/[,\s]+/)
      .filter(Boolean)
      .map(Number);
    if (bounds.some((b) => !Number.isFinite(b))) {
      showError("#zones-error", new Error("Give the bounds as numbers separated by commas."));
      return;
    }
    saveZones(bounds);
  });
  $("#zones-default").addEventListener("click", () => saveZones(null));

  $("#add-athlete").addEventListener("click", () => {
    current = null;
    showAthlete(null);
    $("#profile-saved").textContent = "";
    $("#profile-name").focus();
  });
});
