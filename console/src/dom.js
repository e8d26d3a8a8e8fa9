// A tiny element builder: text always goes in as text, never as HTML (Name tags are user input).

// An element with attributes (on* ones become listeners) and children.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') element.className = value;
    else if (key.startsWith('on')) element.addEventListener(key.slice(2).toLowerCase(), value);
    else element.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// A table with a header row; each row is a list of cells (text or elements).
export function table(testid, headers, rows) {
  return h(
    'table',
    { 'data-testid': testid },
    h('thead', {}, h('tr', {}, headers.map((text) => h('th', {}, text)))),
    h('tbody', {}, rows.map((cells) => h('tr', {}, cells.map((cell) => h('td', {}, cell))))),
  );
}
