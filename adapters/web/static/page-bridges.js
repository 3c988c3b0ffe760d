// Bridges: register one (its password is shown once, with the command that starts it),
// list them, revoke one.

import { api, ApiError } from "./api.js";
import { $, announce, el, show, showError } from "./dom.js";
import { paths } from "./endpoints.js";
import { day } from "./format.js";
import { startPage } from "./shell.js";

const shellQuote = (text) => `'${String(text).replaceAll("'", "'\\''")}'`;
const withoutCredentials = (url) => url.replace(/^([a-z]+:\/\/)[^@/]*@/i, "$1");

export function startCommand(bridge) {
  const { credentials } = bridge;
  return [
    `WATTLOG_BRIDGE_PASSWORD=${shellQuote(credentials.password)}`,
    "wattlog bridge",
    `--client-id ${bridge.client_id}`,
    `--amqp-url ${shellQuote(withoutCredentials(credentials.amqp_url))}`,
  ].join(" ");
}

function showSecret(bridge) {
  const desktop = Boolean(bridge.credentials);
  $("#secret-client-id").textContent = bridge.client_id;
  show("#secret-password-label", desktop);
  show($("#secret-password").parentElement, desktop);
  show("#secret-command-block", desktop);
  show("#secret-phone", !desktop);
  if (desktop) {
    $("#secret-password").textContent = bridge.credentials.password;
    $("#secret-command").textContent = startCommand(bridge);
  }
  const panel = $("#bridge-secret");
  show(panel);
  panel.focus();
}

function hideSecret() {
  // The password leaves the page for good: it cannot be shown again.
  $("#secret-password").textContent = "";
  $("#secret-command").textContent = "";
  show("#bridge-secret", false);
}

async function loadBridges() {
  const { bridges } = await api(paths.bridges($("#show-revoked").checked));
  show("#bridges-empty", bridges.length === 0);
  $("#bridges-body").replaceChildren(
    ...bridges.map((bridge) =>
      el(
        "tr",
        { "data-bridge-id": bridge.id, class: bridge.revoked_at ? "revoked" : null },
        el("th", { scope: "row", text: bridge.name }),
        el("td", { text: bridge.kind }),
        el("td", {}, el("code", { text: bridge.client_id })),
        el("td", { text: day(bridge.registered_at) }),
        el(
          "td",
          {},
          bridge.revoked_at
            ? `revoked ${day(bridge.revoked_at)}`
            : el("button", {
                type: "button",
                class: "danger small",
                "aria-label": `Revoke ${bridge.name}`,
                onclick: () => confirmRevoke(bridge),
                text: "Revoke",
              }),
        ),
      ),
    ),
  );
}

function confirmRevoke(bridge) {
  const dialog = $("#revoke-dialog");
  $("#revoke-text").textContent = `“${bridge.name}” is disconnected at once and can never connect again.`;
  dialog.onclose = async () => {
    if (dialog.returnValue !== "revoke") return;
    try {
      await api(paths.bridge(bridge.id), { method: "DELETE" });
      announce(`${bridge.name} revoked`);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError("#page-error", error);
    }
    await loadBridges();
  };
  dialog.showModal();
}

startPage(async () => {
  await loadBridges();
  $("#show-revoked").addEventListener("change", loadBridges);
  $("#secret-done").addEventListener("click", hideSecret);
  $("#secret-copy").addEventListener("click", async () => {
    const text = $("#secret-command").textContent;
    try {
      await navigator.clipboard.writeText(text);
      announce("Command copied");
    } catch {
      getSelection().selectAllChildren($("#secret-command"));
    }
  });
  $("#bridge-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    showError("#bridge-error", null);
    const button = $("#bridge-register");
    button.disabled = true;
    try {
      const kind = new FormData(event.target).get("kind");
      const bridge = await api(paths.bridges(), {
        method: "POST",
        body: { name: $("#bridge-name").value.trim(), kind },
      });
      event.target.reset();
      showSecret(bridge);
      await loadBridges();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      showError("#bridge-error", error);
    } finally {
      button.disabled = false;
    }
  });
});
