// The sign-in and registration forms: send the credentials, keep the tokens, move on.

import { ApiError, publicPost, storeTokens } from "./api.js";
import { $, params, showError } from "./dom.js";

function deviceName() {
  const platform = navigator.userAgentData?.platform || navigator.platform || "unknown system";
  return `Browser on ${platform}`.slice(0, 100);
}

function safeNext(fallback) {
  const next = params().get("next");
  // Only a path of this site: never an open redirect to another origin.
  return next && next.startsWith("/") && !next.startsWith("//") ? next : fallback;
}

export function accountForm({ form, email, password, error, path, after }) {
  $(form).addEventListener("submit", async (event) => {
    event.preventDefault();
    showError(error, null);
    const button = $(`${form} button[type=submit]`);
    button.disabled = true;
    try {
      const body = await publicPost(path, {
        email: $(email).value.trim(),
        password: $(password).value,
        device: deviceName(),
      });
      storeTokens(body);
      location.assign(safeNext(after));
    } catch (failure) {
      showError(error, failure instanceof ApiError ? failure : new Error("The server cannot be reached; try again."));
      button.disabled = false;
    }
  });
}
