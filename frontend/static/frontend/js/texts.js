// The words a script puts on a page live in the page as markup, one <template data-texts>
// per script (frontend/partials/script_texts.html): so an easy-Japanese page gives them their
// furigana (<ruby>) like the rest of the page, which a string in a script or in an attribute
// could not have. A text's %(name)s placeholders are filled in around its ruby.

export function textsOf(name) {
  return document.querySelector(`template[data-texts="${name}"]`)?.content ?? null;
}

export function phrase(texts, key, values = {}) {
  const fragment = document.createDocumentFragment();
  const source = texts?.querySelector(`[data-text="${key}"]`);
  for (const node of source ? source.childNodes : []) {
    const copy = node.cloneNode(true);
    if (copy.nodeType === Node.TEXT_NODE) {
      copy.textContent = copy.textContent.replace(/%\((\w+)\)s/g, (_, name) => values[name] ?? "");
    }
    fragment.append(copy);
  }
  return fragment;
}

// ``element`` shows the text ``key`` instead of what it held.
export function putPhrase(element, texts, key, values = {}) {
  element.replaceChildren(phrase(texts, key, values));
}
