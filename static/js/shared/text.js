// The words a page shows, in its language. The site's own (common.<lang>.json: the header, the copy
// dialog, the refusals, the channels' names) sit in base.html's data block; a page's own come in its
// data block, and an export carries what it needs in its data.

let common;

// The site's words, or null where there are none (an exported file).
export function commonText() {
  if (common === undefined) {
    const block = document.getElementById("common-text");
    common = block ? JSON.parse(block.textContent) : null;
  }
  return common;
}

// "{n} of {count}" with {n: 1, count: 3} → "1 of 3"; a name with no value stays as it is.
export function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

// A channel's name as the page shows it: the feature bank's names are words; x0, x1, … are symbols.
export function channelName(name, names) {
  return names?.[name] ?? name;
}

// Names the server writes in English (a layer's "1×1 reduce"), in the page's language: `terms` is a
// list of [pattern, replacement] pairs (regular expressions, applied in order); none in English.
export function translate(text, terms = []) {
  return terms.reduce((out, [pattern, replacement]) => out.replace(new RegExp(pattern, "g"), replacement), text);
}

// A page's query string with the page's language in it, so that the links it makes keep it.
export function withLanguage(query) {
  const params = new URLSearchParams(query);
  params.set("lang", document.documentElement.lang);
  return `?${params}`;
}
