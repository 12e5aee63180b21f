// Renders items.json with citeproc-js and the official styles and locales in
// ../shared/csl, writing expected.json: for every style, each item alone as a
// bibliography entry (text and HTML), as a first citation (text) and as a
// citation with a page locator ("located"). The Go
// test TestBattery compares our processor with this file.
//
// Run from the module root (citeproc-js is not a dependency of the project):
//   npm install --prefix /tmp/citeproc-js citeproc
//   NODE_PATH=/tmp/citeproc-js/node_modules node csl/testdata/battery/citeproc.js
const CSL = require('citeproc');
const fs = require('fs');
const path = require('path');

const here = __dirname;
const shared = path.join(here, '..', '..', '..', '..', 'shared', 'csl');
const items = JSON.parse(fs.readFileSync(path.join(here, 'items.json'), 'utf8'));
const byId = Object.fromEntries(items.map((it) => [it.id, it]));
const styles = {
  'apa': ['apa.csl', 'en-US'],
  'chicago-author-date': ['chicago-author-date.csl', 'en-US'],
  'chicago-notes-bibliography': ['chicago-notes-bibliography.csl', 'en-US'],
  'harvard-cite-them-right': ['harvard-cite-them-right.csl', 'en-GB'],
  'ieee': ['ieee.csl', 'en-US'],
  'modern-language-association': ['modern-language-association.csl', 'en-US'],
  'nlm-citation-sequence': ['nlm-citation-sequence.csl', 'en-US'],
};
const sys = {
  retrieveLocale: (lang) => {
    try {
      return fs.readFileSync(path.join(shared, 'locales', `locales-${lang}.xml`), 'utf8');
    } catch (e) {
      return null;
    }
  },
  retrieveItem: (id) => byId[id],
};

const out = {
  generator: `citeproc-js ${CSL.PROCESSOR_VERSION} (npm citeproc), node ${process.version}; ` +
    'one engine per style and output format; each item alone: updateItems([id]), makeBibliography; ' +
    'citation = previewCitationCluster, noteIndex 1, text; located = the same with locator "12-14", label page',
  styles: {},
};
for (const [name, [file, locale]] of Object.entries(styles)) {
  const src = fs.readFileSync(path.join(shared, 'styles', file), 'utf8');
  const html = new CSL.Engine(sys, src, locale, true);
  const text = new CSL.Engine(sys, src, locale, true);
  text.setOutputFormat('text');
  const entries = {};
  for (const it of items) {
    html.updateItems([it.id]);
    text.updateItems([it.id]);
    const hb = html.makeBibliography();
    const tb = text.makeBibliography();
    const citation = text.previewCitationCluster(
      { citationItems: [{ id: it.id }], properties: { noteIndex: 1 } }, [], [], 'text');
    const located = text.previewCitationCluster(
      { citationItems: [{ id: it.id, locator: '12-14', label: 'page' }], properties: { noteIndex: 1 } }, [], [], 'text');
    entries[it.id] = {
      text: tb && tb[1].length ? tb[1].join('').trim() : '',
      html: hb && hb[1].length ? hb[1].join('').trim() : '',
      citation,
      located,
    };
  }
  out.styles[name] = { file, locale, entries };
}
fs.writeFileSync(path.join(here, 'expected.json'), JSON.stringify(out, null, 2) + '\n');
