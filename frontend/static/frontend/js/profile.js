// Profile steps: a search box that filters the station list (by name in either script or by
// its romanised id), and only as many empty language rows as needed.

function fold(text) {
  // "Kichijōji" and "kichijoji" match; so do full- and half-width letters.
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
}

function setUpStationFilter(select) {
  const label = document.createElement("label");
  const id = `${select.id}_search`;
  label.htmlFor = id;
  label.className = "field__help";
  label.textContent = select.dataset.stationFilter;
  const input = document.createElement("input");
  input.type = "search";
  input.id = id;
  input.className = "input station-filter";
  input.autocomplete = "off";
  select.before(label, input);
  input.addEventListener("input", () => {
    const query = fold(input.value.trim());
    for (const group of select.querySelectorAll("optgroup")) {
      let visible = 0;
      for (const option of group.querySelectorAll("option")) {
        const hit = !query || fold(`${option.textContent} ${option.value}`).includes(query);
        option.hidden = !hit;
        option.disabled = !hit && !option.selected;
        if (hit) visible += 1;
      }
      group.hidden = visible === 0;
    }
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
