// Small DOM helpers: build elements without innerHTML (no markup from data, ever).

export const $ = (selector, root = document) => root.querySelector(selector);

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function setText(selector, text) {
  const node = typeof selector === "string" ? $(selector) : selector;
  if (node && node.textContent !== text) node.textContent = text;
}

export function show(selector, visible = true) {
  const node = typeof selector === "string" ? $(selector) : selector;
  if (node) node.hidden = !visible;
}

export function showError(selector, error) {
  const node = $(selector);
  if (!node) return;
  node.textContent = error ? (error.message ?? String(error)) : "";
  node.hidden = !error;
}

// Polite announcements for screen readers (connection lost, command confirmed...).
export function announce(message) {
  const node = $("#announcer");
  if (!node) return;
  node.textContent = "";
  setTimeout(() => {
    node.textContent = message;
  }, 50);
}

export function params() {
  return new URLSearchParams(location.search);
}

// The id in /rides/<id> and /rides/<id>/replay.
export function rideIdFromPath() {
  return location.pathname.split("/")[2];
}
