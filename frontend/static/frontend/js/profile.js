// Profile steps: a search box that filters the station list (by name in kanji, kana or romaji,
// whatever the page's language: each option carries its terms in data-search), and only as
// many empty language rows as needed.

import { phrase, putPhrase, textsOf } from "./texts.js";

function fold(text) {
  // "Kichijōji" and "kichijoji" match; so do full- and half-width letters, and katakana
  // and hiragana (キチジョウジ, きちじょうじ).
  return text
    .normalize("NFKC")
    .replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60))
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
}

function setUpStationFilter(select) {
  // The search box's words, after the select (frontend/widgets/station_select.html).
  const texts = textsOf(select.dataset.stationFilter);
  const label = document.createElement("label");
  const id = `${select.id}_search`;
  label.htmlFor = id;
  label.className = "field__help";
  label.append(phrase(texts, "filter"));
  const input = document.createElement("input");
  input.type = "search";
  input.id = id;
  input.className = "input station-filter";
  input.autocomplete = "off";
  const hint = document.createElement("p");
  hint.className = "field__help";
  hint.id = `${id}_hint`;
  hint.append(phrase(texts, "help"));
  const found = document.createElement("p");
  found.className = "field__help station-filter__found";
  found.id = `${id}_found`;
  found.setAttribute("role", "status");
  input.setAttribute("aria-describedby", `${hint.id} ${found.id}`);
  select.before(label, input, hint, found);
  input.addEventListener("keydown", (event) => {
    // Enter picks the first match instead of sending the form half filled in.
    if (event.key === "Enter") event.preventDefault();
  });
  input.addEventListener("input", () => {
    const query = fold(input.value.trim());
    const hits = [];
    for (const group of select.querySelectorAll("optgroup")) {
      let visible = 0;
      for (const option of group.querySelectorAll("option")) {
        const terms = option.dataset.search || `${option.textContent} ${option.value}`;
        const hit = !query || fold(terms).includes(query);
        option.hidden = !hit;
        option.disabled = !hit;
        if (hit) {
          visible += 1;
          hits.push(option);
        }
      }
      group.hidden = visible === 0;
    }
    // The closed list shows its selected option: never one the search has just hidden.
    const chosen = select.selectedOptions[0];
    if (query && (!chosen || chosen.hidden || !chosen.value)) {
      if (hits.length) hits[0].selected = true;
      else select.value = "";
    }
    if (!query) found.textContent = "";
    else if (hits.length) putPhrase(found, texts, "count", { n: String(hits.length) });
    else putPhrase(found, texts, "none");
  });
}

function setUpLanguageRows(container) {
  const rows = [...container.querySelectorAll("[data-language-row]")];
  const isEmpty = (row) => [...row.querySelectorAll("select")].every((s) => !s.value);
  const hasError = (row) => row.querySelector("[aria-invalid='true']") !== null;
  // Keep every filled row and one empty row; hide the rest until asked for.
  let keptEmpty = false;
  for (const row of rows) {
    if (isEmpty(row) && !hasError(row)) {
      if (keptEmpty) row.hidden = true;
      keptEmpty = true;
    }
  }
  if (!rows.some((row) => row.hidden)) return;
  const add = document.createElement("button");
  add.type = "button";
  add.className = "button button--secondary button--small";
  add.textContent = container.dataset.addLabel || "+";
  add.addEventListener("click", () => {
    const next = rows.find((row) => row.hidden);
    if (!next) return;
    next.hidden = false;
    next.querySelector("select")?.focus();
    if (!rows.some((row) => row.hidden)) add.remove();
  });
  container.append(add);
}

for (const select of document.querySelectorAll("select[data-station-filter]")) {
  setUpStationFilter(select);
}
for (const container of document.querySelectorAll(".language-rows")) {
  setUpLanguageRows(container);
}
