// The Blocks page's one state object and its query string. The server parses the query
// (app/lab/blocks/state.py) and embeds the parsed state, the defaults and each kind's widths.

export const PAGE = JSON.parse(document.getElementById("blocks-data").textContent);
export const TEXT = PAGE.text;
export const state = { ...PAGE.state };

// Parameters that set a block's widths; which ones a kind reads is PAGE.kinds[kind].
export const WIDTHS = ["cin", "mid", "cout", "stride", "k", "c", "c1", "c3r", "c3", "c5r", "c5", "pp", "t", "d", "ff", "p"];

export function toQuery(values = state, extra = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...values, ...extra })) {
    if (value === null || value === undefined || value === "" || value === PAGE.defaults[key]) continue;
    if (Array.isArray(value)) {
      if (value.length) params.set(key, value.join(","));
    } else {
      params.set(key, String(value));
    }
  }
  const lang = new URLSearchParams(location.search).get("lang");
  if (lang) params.set("lang", lang);
  const text = params.toString();
  return text ? `?${text}` : "";
}

// A width as the block runs it: the query's value, else the kind's default.
export function width(parameter) {
  return state[parameter] ?? PAGE.kinds[state.b][parameter];
}

export function setKind(kind) {
  for (const parameter of WIDTHS) state[parameter] = null;
  Object.assign(state, { b: kind, node: "", ch: 0, wid: "" }); // uploaded weights belong to one block
}

