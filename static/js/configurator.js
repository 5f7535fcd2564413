// The configurator page, enhanced: every change asks the configure API and redraws
// availability, reasons, price, preview and conflicts without reloading the page.
// The form's controls hold the state; "Save" and "Add to cart" post the form as usual, so
// what the page shows is always the server's answer for the choices the form holds now.

import { History } from "./history.js";
import { setUpSteps } from "./steps.js";

const form = document.getElementById("configurator");
const data = JSON.parse(document.getElementById("configurator-data").textContent);
const csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const attributes = new Map(data.attributes.map((a) => [a.id, a]));
const announcer = form.querySelector("[data-announcer]");
const history = new History();
const undoButton = form.querySelector("[data-undo]");
const redoButton = form.querySelector("[data-redo]");

// Prefetching, when idle, the pictures one click away in the step on screen.
const PREFETCH_LIMIT = 6; // images per idle moment
const prefetched = new Set();
let prefetchHandle = null;
let prefetchReady = false;

const steps = setUpSteps(form.querySelector("[data-steps]"), () => schedulePrefetch());

let current = null;
let answer = data.answer;
let lastRepair = answer.repair;
let requestNumber = 0;

// -- reading and writing the form ------------------------------------------------------------

const fieldName = (id) => `c-${id}`;
const controlsOf = (id) => [...form.elements.namedItem(fieldName(id)) instanceof RadioNodeList
  ? form.elements.namedItem(fieldName(id))
  : [form.elements.namedItem(fieldName(id))]].filter(Boolean);

// The characters of a text its pattern refuses, as the server finds them
// (engine.choices.refused_characters): those refused on their own, the fewest whose
// removal makes the text match or leaves nothing; none when no character is at fault.
function refusedCharacters(pattern, text) {
  const whole = new RegExp(`^(?:${pattern})$`);
  const without = (chars) => [...text].filter((char) => !chars.includes(char)).join("");
  const distinct = [...new Set(text)];
  let refused = distinct.filter((char) => !whole.test(char));
  if (refused.length === distinct.length && ![..."Aa0 "].some((char) => whole.test(char))) return [];
  const rest = without(refused);
  if (rest && !whole.test(rest)) return [];
  for (const char of [...refused]) {
    const fewer = refused.filter((other) => other !== char);
    if (whole.test(without(fewer))) refused = fewer;
  }
  return refused;
}

function shownCharacters(chars) {
  const shown = chars.map((char) => (/^[ \p{L}\p{N}\p{P}\p{S}]$/u.test(char)
    ? `“${char}”` : `U+${char.codePointAt(0).toString(16).toUpperCase().padStart(4, "0")}`));
  return shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(", ")} and ${shown.at(-1)}`;
}

// Says what the server's text_limit_problem says (texts compared in NFC, as it does).
function textProblem(attribute, typed) {
  const text = typed.normalize("NFC");
  if (!text) return "";
  if (attribute.max_length != null && text.length > attribute.max_length) {
    return `${attribute.label}: at most ${attribute.max_length} characters.`;
  }
  if (attribute.pattern && !new RegExp(`^(?:${attribute.pattern})$`).test(text)) {
    const refused = refusedCharacters(attribute.pattern, text);
    if (!refused.length) return `${attribute.label}: some of these characters can’t be used.`;
    const sentence = `${attribute.label}: ${shownCharacters(refused)} can’t be used`;
    return attribute.allowed_characters ? `${sentence}; use ${attribute.allowed_characters}` : `${sentence}.`;
  }
  return "";
}

function readChoices() {
  const fields = new FormData(form);
  const choices = {};
  for (const attribute of data.attributes) {
    const name = fieldName(attribute.id);
    if (attribute.kind === "multi") {
      const values = fields.getAll(name);
      if (values.length) choices[attribute.id] = values;
    } else if (attribute.kind === "number") {
      const text = String(fields.get(name) ?? "").trim();
      if (text !== "" && Number.isFinite(Number(text))) choices[attribute.id] = Number(text);
    } else if (attribute.kind === "text") {
      // in NFC, as the server keeps it; out-of-limit text comes back as a conflict
      const text = String(fields.get(name) ?? "").normalize("NFC");
      if (text) choices[attribute.id] = text;
    } else {
      const value = fields.get(name);
      if (value) choices[attribute.id] = value;
    }
  }
  return choices;
}

function writeChoices(choices) {
  for (const attribute of data.attributes) {
    const value = choices[attribute.id];
    for (const control of controlsOf(attribute.id)) {
      if (control.type === "radio") control.checked = control.value === (value ?? "");
      else if (control.type === "checkbox") control.checked = (value ?? []).includes(control.value);
      else control.value = value ?? "";
    }
  }
}

// -- labels ------------------------------------------------------------------------------------

const NOT_CHOSEN = "Not chosen";

function valueLabel(attribute, value) {
  if (value == null || value === "" || (Array.isArray(value) && !value.length)) return NOT_CHOSEN;
  if (attribute.kind === "single") return attribute.options[value]?.label ?? value;
  if (attribute.kind === "multi") {
    return Object.entries(attribute.options)
      .filter(([id]) => value.includes(id)).map(([, option]) => option.label).join(", ");
  }
  if (attribute.kind === "text") return `“${value}”`;
  return String(value);
}

function numberRanges(values) {
  if (!values.length) return "none";
  const runs = [[values[0], values[0]]];
  for (const value of values.slice(1)) {
    if (value - runs[runs.length - 1][1] === 1) runs[runs.length - 1][1] = value;
    else runs.push([value, value]);
  }
  return runs.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(", ");
}

// -- talking to the server -----------------------------------------------------------------------

// Any answer that is not the JSON asked for (no network, a proxy's HTML error page, an
// expired session) becomes an Error with a sentence for the shopper; nothing else throws.
async function postJson(url, body) {
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new Error("The shop can’t be reached: check your connection, then try again.");
  }
  const isJson = (response.headers.get("Content-Type") || "").includes("application/json");
  let payload = null;
  if (isJson) {
    try {
      payload = await response.json();
    } catch {
      payload = null;
    }
  }
  if (!response.ok || payload === null || typeof payload !== "object") {
    const message = payload?.error?.message;
    throw new Error(message || `The shop didn’t answer just now (${response.status}); please try again.`);
  }
  return payload;
}

// A visible note under the tools when a request fails; the form keeps every choice.
const scriptError = form.querySelector("[data-script-error]");
scriptError.removeAttribute("role"); // the live region says it: an alert as well would say it twice
function showFailure(text) {
  scriptError.querySelector("[data-script-error-text]").textContent = text;
  scriptError.hidden = false;
  announce(text);
}
function clearFailure() {
  scriptError.hidden = true;
}

async function refresh(changed = null, note = "", { quiet = false } = {}) {
  const choices = readChoices();
  const number = ++requestNumber;
  form.setAttribute("aria-busy", "true");
  try {
    const next = await postJson(data.endpoints.configure, { choices, changed });
    if (number !== requestNumber) return; // a newer change is on its way
    answer = next;
    clearFailure();
    render(choices, changed, note, { quiet });
  } catch (error) {
    if (number === requestNumber) {
      showFailure(`Sorry, we couldn’t update availability and price. ${error.message} Your choices are kept.`);
    }
  } finally {
    if (number === requestNumber) form.removeAttribute("aria-busy");
  }
}

// -- drawing the answer ---------------------------------------------------------------------------

function setReason(label, input, reason, id) {
  let bubble = label.querySelector(".reason");
  if (!bubble) {
    bubble = document.createElement("span");
    bubble.className = "reason";
    bubble.setAttribute("role", "tooltip");
    label.append(bubble);
  }
  bubble.id = id;
  bubble.replaceChildren();
  if (reason === undefined) {
    input.removeAttribute("aria-disabled");
    input.removeAttribute("aria-describedby");
    label.classList.remove("is-unavailable");
    return;
  }
  const title = Object.assign(document.createElement("span"), { className: "reason__title", textContent: "Unavailable." });
  const message = Object.assign(document.createElement("span"), {
    className: "reason__message",
    textContent: reason?.message || "Not available with your other choices.",
  });
  bubble.append(title, " ", message);
  if (reason?.hint) {
    bubble.append(" ", Object.assign(document.createElement("span"), { className: "reason__hint", textContent: reason.hint }));
  }
  input.setAttribute("aria-disabled", "true");
  input.setAttribute("aria-describedby", id);
  label.classList.remove("reason-dismissed");
  label.classList.add("is-unavailable");
}

function renderAttribute(attribute, state, choices) {
  const box = form.querySelector(`[data-attribute="${attribute.id}"]`);
  const value = choices[attribute.id];
  const shown = box.querySelector(`[data-value-for="${attribute.id}"]`);
  if (shown) shown.textContent = valueLabel(attribute, value);
  if (attribute.kind === "single" || attribute.kind === "multi") {
    for (const [optionId, optionState] of Object.entries(state.options)) {
      const label = box.querySelector(`[data-option="${CSS.escape(optionId)}"]`);
      const input = label.querySelector("input");
      const reason = optionState.available ? undefined : optionState.reason ?? null;
      setReason(label, input, reason, `r-${attribute.id}-${optionId}`);
    }
  } else if (attribute.kind === "number") {
    const input = box.querySelector("input");
    box.querySelector(`[data-allowed-for="${attribute.id}"]`).textContent =
      `Available with your choices: ${numberRanges(state.allowed)}`;
    const invalid = value != null && !state.allowed.includes(value);
    if (invalid) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  } else if (attribute.kind === "text") {
    const input = box.querySelector("input");
    const text = input.value.normalize("NFC");
    box.querySelector(`[data-counter-for="${attribute.id}"]`).textContent =
      `${text.length} of ${state.max_length} characters`;
    const conflicted = (answer.conflict?.choices ?? []).includes(attribute.id);
    const problem = textProblem(attribute, text) ||
      (text.length > state.max_length ? `${attribute.label}: at most ${state.max_length} characters with your other choices.` : "") ||
      (conflicted ? answer.conflict.message : "") ||
      (previewProblem?.attribute === attribute.id ? previewProblem.message : "");
    box.querySelector(`[data-error-for="${attribute.id}"]`).textContent = problem;
    if (problem) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }
}

function renderSteps(choices) {
  const conflicted = new Set(answer.conflict ? answer.conflict.choices : []);
  steps.links.forEach((link, index) => {
    const ids = [...steps.panels[index].querySelectorAll("[data-attribute]")].map((box) => box.dataset.attribute);
    link.querySelector(".steps__value").textContent =
      ids.map((id) => valueLabel(attributes.get(id), choices[id])).join(", ");
    link.classList.toggle("has-conflict", ids.some((id) => conflicted.has(id)));
  });
}

function renderPrice() {
  const list = form.querySelector("[data-price-lines]");
  list.replaceChildren(...answer.price.lines.map((line) => {
    const item = document.createElement("li");
    const label = Object.assign(document.createElement("span"), { textContent: line.label });
    const amount = Object.assign(document.createElement("span"), { className: "amount", textContent: line.formatted });
    item.append(label, amount);
    return item;
  }));
  form.querySelector("[data-price-total]").textContent = answer.price.formatted;
}

// -- the conflict ------------------------------------------------------------------------------
// The box sits with the preview, which on a phone is a screen or more above the step being
// designed: when a conflict appears or changes, the box is scrolled into view. The focus
// stays on the control just used (so arrowing or typing goes on) and the announcer says the
// conflict and its fix; the box is no alert of its own, or it would be said twice. The focus
// moves into the box only when the shopper asks for something the conflict forbids (Save,
// Add to cart), and after "Fix it" it goes back to where the shopper was. Each step also
// has a "Fix it" of its own, first after its options, so that from the control just used
// the fix is one Tab away (the box's is a screen or more of Tabs back up the page).

const conflictBox = form.querySelector("[data-conflict]");
conflictBox.removeAttribute("role");
const stepFixes = [...form.querySelectorAll("[data-repair-here]")];
const showStepFixes = () => stepFixes.forEach((button) => { button.hidden = answer.consistent || !answer.repair; });
stepFixes.forEach((button) => button.addEventListener("click", () => applyRepair()));
showStepFixes();
const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
const conflictKey = () => (answer.consistent ? null : JSON.stringify([answer.conflict, answer.repair?.change]));
let shownConflict = conflictKey();
let lastControl = null; // where the focus goes back to after "Fix it": the shopper's last control

const conflictMessage = () => answer.conflict?.message || "Some of your choices can’t be combined.";

function repairSummary(repair) {
  return repair.change.map((id) => {
    const attribute = attributes.get(id);
    const value = valueLabel(attribute, repair.choices[id]);
    return value === NOT_CHOSEN ? `clear ${attribute.label}` : `${attribute.label}: ${value}`;
  }).join("; ");
}

function revealConflict({ focus = false } = {}) {
  const edges = conflictBox.getBoundingClientRect();
  if (edges.top < 0 || edges.bottom > window.innerHeight) {
    conflictBox.scrollIntoView({ block: "nearest", behavior: reducedMotion.matches ? "auto" : "smooth" });
  }
  if (focus) conflictBox.querySelector(".conflict__title").focus({ preventScroll: true });
}

function returnFocus() {
  const target = lastControl?.isConnected ? lastControl : steps.links.find((link) => link.tabIndex === 0);
  steps.reveal(target);
  target.focus();
}

function renderConflict() {
  lastRepair = answer.repair;
  const key = conflictKey();
  const isNew = key !== shownConflict;
  shownConflict = key;
  const hadFocus = conflictBox.contains(document.activeElement) || stepFixes.includes(document.activeElement);
  showStepFixes();
  if (answer.consistent) {
    conflictBox.hidden = true;
    conflictBox.replaceChildren();
    if (hadFocus) returnFocus();
    return;
  }
  const title = Object.assign(document.createElement("h2"), {
    className: "conflict__title", id: "conflict-title", tabIndex: -1, textContent: "These choices don’t go together",
  });
  const message = Object.assign(document.createElement("p"), { className: "conflict__message", textContent: conflictMessage() });
  conflictBox.replaceChildren(title, message);
  if (answer.repair) {
    const fix = Object.assign(document.createElement("p"), {
      className: "conflict__fix", id: "conflict-fix", textContent: `Quickest fix: ${repairSummary(answer.repair)}.`,
    });
    const button = Object.assign(document.createElement("button"), {
      type: "button", className: "button button--primary", textContent: "Fix it",
    });
    button.setAttribute("aria-describedby", "conflict-fix");
    button.dataset.repair = "";
    button.addEventListener("click", applyRepair);
    conflictBox.append(fix, button);
  }
  conflictBox.hidden = false;
  if (isNew) revealConflict();
}

async function renderStatus(choices) {
  const status = form.querySelector("[data-status]");
  if (!answer.consistent) status.textContent = "Resolve the conflict to continue: “Fix it” shows the quickest way.";
  else if (answer.complete) status.textContent = "Ready to be made for you.";
  else {
    const shown = answer;
    status.textContent = "A few choices are still needed.";
    try {
      const { missing } = await postJson(data.endpoints.missing, { choices });
      if (shown !== answer || !Array.isArray(missing) || !missing.length) return;
      status.textContent = `Still to choose: ${missing.map((id) => attributes.get(id).label).join(", ")}.`;
    } catch {
      // keep the general sentence
    }
  }
}

// -- the preview -------------------------------------------------------------------------------
// The picture on screen changes only once the next one has loaded (no flicker); a slow
// one shows a quiet "drawing" note. A text the picture cannot hold makes the image URL
// answer 422: its message goes beside the text field and the picture shows the design
// without that text.

const previewBox = form.querySelector("[data-preview]");
const previewLoading = previewBox.querySelector("[data-preview-loading]");
const SLOW_PREVIEW_MS = 250;
let shownPreview = data.answer.preview;
let wantedPreview = shownPreview;
let previewProblem = data.previewProblem;
let slowTimer = null;

// "/previews/<hash>.800.webp" -> the same picture in another format.
const inFormat = (url, ext) => url.replace(/\.[a-z]+$/, `.${ext}`);

function showPreview(url) {
  const image = previewBox.querySelector("[data-preview-image]");
  let source = previewBox.querySelector('source[type="image/webp"]');
  if (!source) {
    source = Object.assign(document.createElement("source"), { type: "image/webp" });
    image.before(source);
  }
  source.srcset = inFormat(url, "webp");
  image.src = inFormat(url, "jpeg");
  image.hidden = false;
  previewBox.querySelector("[data-preview-placeholder]").hidden = true;
  shownPreview = url;
}

function setLoading(loading) {
  window.clearTimeout(slowTimer);
  if (loading) {
    slowTimer = window.setTimeout(() => {
      previewBox.classList.add("is-loading");
      previewBox.setAttribute("aria-busy", "true");
      previewLoading.hidden = false;
    }, SLOW_PREVIEW_MS);
  } else {
    previewBox.classList.remove("is-loading");
    previewBox.removeAttribute("aria-busy");
    previewLoading.hidden = true;
  }
}

function setPreviewProblem(problem) {
  previewProblem = problem;
  for (const attribute of data.attributes) {
    if (attribute.kind === "text") renderAttribute(attribute, answer.attributes[attribute.id], readChoices());
  }
}

// Why a preview URL failed: the 422 body names the text field and says what to do.
async function previewFailure(url) {
  try {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    if (response.status !== 422) return null;
    const { error } = await response.json();
    const attribute = (error.field || "").replace(/^choices\./, "");
    return attributes.has(attribute) ? { attribute, message: error.message } : null;
  } catch {
    return null;
  }
}

function loadPreview(url, { fallback = true } = {}) {
  wantedPreview = url;
  if (url === shownPreview) {
    setLoading(false);
    return;
  }
  setLoading(true);
  const loader = new Image();
  loader.onload = () => {
    if (wantedPreview !== url) return; // a newer picture is on its way
    setLoading(false);
    showPreview(url);
    if (previewProblem && fallback) setPreviewProblem(null);
    schedulePrefetch();
  };
  loader.onerror = async () => {
    if (wantedPreview !== url) return;
    const problem = await previewFailure(url);
    if (wantedPreview !== url) return;
    setLoading(false);
    if (!problem || !fallback) return; // keep the picture on screen
    showWithoutText(problem, url);
  };
  loader.src = url;
}

// Say why the text cannot be drawn and show the rest of the design: the same choices
// without that text.
async function showWithoutText(problem, wanted) {
  setPreviewProblem(problem);
  const choices = readChoices();
  delete choices[problem.attribute];
  try {
    const other = await postJson(data.endpoints.configure, { choices, explain: false });
    if (wantedPreview === wanted && other.preview) loadPreview(other.preview, { fallback: false });
  } catch {
    // keep the picture on screen
  }
}

function renderPreview(choices) {
  if (answer.preview) {
    loadPreview(answer.preview);
    return;
  }
  // No picture of these choices: keep the one on screen (or the placeholder), and say
  // which text it cannot hold when that is why.
  wantedPreview = null;
  setLoading(false);
  if (answer.preview_problem) {
    showWithoutText(answer.preview_problem, null);
  } else if (previewProblem) {
    setPreviewProblem(null);
  }
  if (shownPreview === null) {
    const placeholder = previewBox.querySelector("[data-preview-placeholder]");
    const chips = placeholder.querySelector("[data-preview-chips]");
    const colours = [];
    for (const attribute of data.attributes) {
      const value = choices[attribute.id];
      const chosen = Array.isArray(value) ? value : [value];
      for (const id of chosen) {
        const swatch = attribute.options[id]?.swatch;
        if (swatch && !colours.includes(swatch)) colours.push(swatch);
      }
    }
    chips.replaceChildren(...colours.map((colour) => {
      const chip = document.createElement("span");
      chip.className = "chip";
      chip.style.setProperty("--swatch", colour);
      return chip;
    }));
  }
}

// -- prefetching ------------------------------------------------------------------------------

const whenIdle = window.requestIdleCallback
  ? (callback) => window.requestIdleCallback(callback, { timeout: 2000 })
  : (callback) => window.setTimeout(callback, 300);
const cancelIdle = window.cancelIdleCallback ?? window.clearTimeout;

function schedulePrefetch() {
  if (!prefetchReady || navigator.connection?.saveData) return;
  if (prefetchHandle !== null) cancelIdle(prefetchHandle);
  prefetchHandle = whenIdle(() => {
    prefetchHandle = null;
    prefetchStep();
  });
}

// The single and multi attributes of the step on screen, asked for the pictures of
// their available options; at most PREFETCH_LIMIT new images are fetched.
async function prefetchStep() {
  const panel = steps.panels.find((candidate) => !candidate.hidden);
  if (!panel || !answer.preview) return;
  const ids = [...panel.querySelectorAll("[data-attribute]")]
    .filter((box) => box.dataset.kind === "single" || box.dataset.kind === "multi")
    .map((box) => box.dataset.attribute);
  const choices = readChoices();
  const asked = answer;
  let budget = PREFETCH_LIMIT;
  for (const attribute of ids) {
    if (budget <= 0 || asked !== answer) return;
    let urls;
    try {
      ({ previews: urls } = await postJson(data.endpoints.previews, { choices, attribute }));
    } catch {
      return;
    }
    for (const url of Object.values(urls)) {
      if (budget <= 0 || asked !== answer) return;
      if (prefetched.has(url) || url === shownPreview) continue;
      prefetched.add(url);
      budget -= 1;
      const image = new Image();
      image.decoding = "async";
      image.src = url;
    }
  }
}

function render(choices, changed, note, { quiet = false } = {}) {
  for (const attribute of data.attributes) renderAttribute(attribute, answer.attributes[attribute.id], choices);
  renderSteps(choices);
  renderPrice();
  renderConflict();
  renderStatus(choices);
  renderPreview(choices);
  form.querySelector("[data-previous]").value = JSON.stringify(choices);
  form.querySelector("[data-changed]").value = changed || "";
  if (quiet) return;
  const parts = [];
  if (note) parts.push(note);
  else if (changed) parts.push(`${attributes.get(changed).label}: ${valueLabel(attributes.get(changed), choices[changed])}.`);
  if (!answer.consistent) {
    parts.push(`These choices don’t go together: ${conflictMessage()}`);
    if (answer.repair) parts.push(`Quickest fix: ${repairSummary(answer.repair)}.`);
  }
  parts.push(`Price ${answer.price.formatted}.`);
  announce(parts.join(" "));
}

function announce(text) {
  announcer.textContent = "";
  window.setTimeout(() => { announcer.textContent = text; }, 50);
}

function updateHistoryButtons() {
  undoButton.disabled = !history.canUndo;
  redoButton.disabled = !history.canRedo;
}

// -- actions ------------------------------------------------------------------------------------

function commit(changed, note = "") {
  const next = readChoices();
  if (JSON.stringify(next) === JSON.stringify(current)) {
    refresh(changed, note);
    return;
  }
  history.record(current);
  current = next;
  updateHistoryButtons();
  refresh(changed, note);
}

function replaceChoices(choices, note) {
  writeChoices(choices);
  commit(null, note);
}

function applyRepair() {
  if (!lastRepair) return;
  const summary = lastRepair.change.map((id) => attributes.get(id).label).join(", ");
  replaceChoices(lastRepair.choices, `Fixed: changed ${summary}.`);
}

function travel(direction) {
  const target = direction === "undo" ? history.undo(current) : history.redo(current);
  if (!target) return;
  if (document.activeElement !== document.body) lastControl = document.activeElement;
  current = target;
  writeChoices(target);
  updateHistoryButtons();
  refresh(null, direction === "undo" ? "Undone." : "Redone.");
}

async function complete(strategy) {
  let result;
  try {
    result = await postJson(data.endpoints.complete, { choices: readChoices(), strategy });
  } catch (error) {
    const name = strategy === "surprise" ? "Surprise me" : "Cheapest";
    showFailure(`Sorry, “${name}” didn’t work. ${error.message} Your design is unchanged.`);
    return;
  }
  if (!result.choices || typeof result.choices !== "object") {
    showFailure("Sorry, that didn’t work. The shop sent an answer we can’t use. Your design is unchanged.");
    return;
  }
  clearFailure();
  replaceChoices(result.choices, strategy === "surprise" ? "Surprise! A new design." : "The most affordable design.");
}

const textTimers = new Map();
form.addEventListener("input", (event) => {
  const box = event.target.closest("[data-attribute]");
  if (!box || box.dataset.kind !== "text") return;
  const id = box.dataset.attribute;
  const attribute = attributes.get(id);
  const problem = textProblem(attribute, event.target.value);
  box.querySelector(`[data-error-for="${id}"]`).textContent = problem;
  lastControl = event.target;
  window.clearTimeout(textTimers.get(id));
  textTimers.set(id, window.setTimeout(() => commit(id), 350));
});

form.addEventListener("change", (event) => {
  const box = event.target.closest("[data-attribute]");
  if (!box || box.dataset.kind === "text") return;
  lastControl = event.target;
  commit(box.dataset.attribute);
});

form.querySelectorAll(".stepper__button").forEach((button) => {
  button.addEventListener("click", () => {
    const input = document.getElementById(button.getAttribute("aria-controls"));
    if (input.value === "") input.value = input.min;
    else if (button.dataset.step === "1") input.stepUp();
    else input.stepDown();
    input.dispatchEvent(new Event("change", { bubbles: true }));
    lastControl = button;
  });
});

// Saving or adding to the cart a design in conflict: refused here, in words that fit the
// button pressed, and the focus goes to the conflict (whose "Fix it" is the next Tab).
// While an answer is on its way the server decides.
function refuseWhileInConflict(action, submitter) {
  if (answer.consistent || form.hasAttribute("aria-busy")) return false;
  const sentence = {
    save: "Resolve the conflict before saving.",
    cart: form.elements.namedItem("line")
      ? "Resolve the conflict before updating the cart line."
      : "Resolve the conflict before adding it to the cart.",
  }[action];
  form.querySelector("[data-status]").textContent = sentence;
  lastControl = submitter;
  revealConflict({ focus: true });
  announce(`${sentence} ${conflictMessage()}`);
  return true;
}

form.addEventListener("submit", (event) => {
  const action = event.submitter?.value || "update";
  if ((action === "save" || action === "cart") && refuseWhileInConflict(action, event.submitter)) {
    event.preventDefault();
    return;
  }
  const handled = {
    update: () => commit(null),
    repair: applyRepair,
    reset: () => replaceChoices(data.defaults, "Started over from our suggestion."),
    surprise: () => complete("surprise"),
    cheapest: () => complete("cheapest"),
  };
  if (action in handled) {
    event.preventDefault();
    handled[action]();
  }
});

undoButton.addEventListener("click", () => travel("undo"));
redoButton.addEventListener("click", () => travel("redo"));

document.addEventListener("keydown", (event) => {
  const target = event.target;
  if (event.key === "Escape") {
    const option = target.closest?.(".option");
    if (option) option.classList.add("reason-dismissed");
    return;
  }
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
  if (target.matches?.('input[type="text"], textarea')) return; // keep the field's own undo
  const key = event.key.toLowerCase();
  if (key === "z" && !event.shiftKey) { event.preventDefault(); travel("undo"); }
  else if ((key === "z" && event.shiftKey) || key === "y") { event.preventDefault(); travel("redo"); }
});

// Arrow keys in a radio group move the focus, and choose the option reached only when it
// is available (as native radios do). A greyed option takes the focus without being
// chosen, so that its reason shows and is read; Space chooses it on purpose, which shows
// the conflict and its repair.
const ARROW_STEPS = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
form.addEventListener("keydown", (event) => {
  const radio = event.target;
  if (!(event.key in ARROW_STEPS) || radio.type !== "radio" || event.ctrlKey || event.metaKey || event.altKey) return;
  const named = form.elements.namedItem(radio.name);
  const group = named instanceof RadioNodeList ? [...named] : [named];
  event.preventDefault();
  const next = group[(group.indexOf(radio) + ARROW_STEPS[event.key] + group.length) % group.length];
  next.focus();
  if (next.getAttribute("aria-disabled") === "true" || next.checked) return;
  next.checked = true;
  next.dispatchEvent(new Event("input", { bubbles: true }));
  next.dispatchEvent(new Event("change", { bubbles: true }));
});

// A reason's bubble opens from its option's left edge (CSS); one that would run past the
// step's right edge (an option in the last column) opens from the right edge instead.
function placeReason(option) {
  const bubble = option.querySelector(".reason");
  if (!bubble) return;
  option.classList.remove("reason--end");
  const limit = Math.min(
    document.documentElement.clientWidth,
    (option.closest(".step") ?? form).getBoundingClientRect().right,
  );
  if (bubble.getBoundingClientRect().right > limit) option.classList.add("reason--end");
}

form.addEventListener("focusin", (event) => {
  steps.reveal(event.target);
  const option = event.target.closest?.(".option.is-unavailable");
  if (option) placeReason(option);
});
form.addEventListener("mouseover", (event) => {
  const option = event.target.closest?.(".option.is-unavailable");
  if (option && !option.contains(event.relatedTarget)) placeReason(option);
});
form.addEventListener("focusout", (event) => {
  event.target.closest?.(".option")?.classList.remove("reason-dismissed");
});

// -- arriving, and coming back ----------------------------------------------------------------
// The answer embedded in the page is the server's for the choices it rendered, but the form
// may come to hold others: a browser that fills in a form again after Back does so after
// this script first reads it (Chromium restores it in a task of its own, before
// "pageshow"), and autofill or an extension may too. A page brought back by Back or Forward
// may also be old: its HTML from the browser's cache, or the whole page from the
// back/forward cache, drawn before the shopper left and maybe before the catalog changed.
// Each of these is asked about again and drawn from the server's answer.

const sameChoices = (a, b) => data.attributes.every((attribute) => {
  const key = (value) => JSON.stringify(Array.isArray(value) ? [...value].sort() : value ?? null);
  return key(a[attribute.id]) === key(b[attribute.id]);
});
const cameBack = () => performance.getEntriesByType("navigation")[0]?.type === "back_forward";

let synchronisation = 0;
async function synchronise() {
  const mine = ++synchronisation;
  document.documentElement.dataset.configurator = "loading";
  current = readChoices();
  updateHistoryButtons();
  await refresh(null, "", { quiet: true });
  if (mine !== synchronisation) return; // a later one draws the page
  schedulePrefetch();
  document.documentElement.dataset.configurator = "ready";
}

window.addEventListener("pageshow", (event) => {
  if (event.persisted || !sameChoices(readChoices(), current)) synchronise();
});

prefetchReady = true;
current = readChoices();
if (sameChoices(current, data.choices) && !cameBack()) {
  render(current, null, "", { quiet: true });
  updateHistoryButtons();
  schedulePrefetch();
  document.documentElement.dataset.configurator = "ready";
} else {
  synchronise();
}
