// Runs the CSL test-suite fixtures listed in suite-errata.txt through
// citeproc-js with the official locales in ../shared/csl/locales and writes
// their outputs to suite-errata.json, which TestConformance uses as their
// expected results (see suite-errata.txt for why). The fixtures are driven
// as citeproc-js's test runner drives them: every item registered, then the
// CITATION-ITEMS clusters, or one citation of all items in registry order,
// or the bibliography.
//
// Run from the module root (citeproc-js is not a dependency of the project):
//   npm install --prefix /tmp/citeproc-js citeproc
//   NODE_PATH=/tmp/citeproc-js/node_modules node csl/testdata/suite-errata.js
const CSL = require('citeproc');
const fs = require('fs');
const path = require('path');

const here = __dirname;
const shared = path.join(here, '..', '..', '..', 'shared', 'csl');
const names = fs.readFileSync(path.join(here, 'suite-errata.txt'), 'utf8').split('\n')
  .map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => l.split(' ')[0]);

function sections(text) {
  const out = {};
  const re = />>=+ ([A-Z-]+) =+>>\n([\s\S]*?)\n<<=+ ([A-Z-]+) =+<</g;
  let m;
  while ((m = re.exec(text))) out[m[1]] = m[2];
  return out;
}

const results = {};
for (const name of names) {
  const fx = sections(fs.readFileSync(path.join(shared, 'test-suite', 'humans', name + '.txt'), 'utf8'));
  if (fx.CITATIONS) throw new Error(name + ': CITATIONS fixtures are not supported here');
  const items = JSON.parse(fx.INPUT);
  const byId = Object.fromEntries(items.map((it) => [it.id, it]));
  const sys = {
    retrieveLocale: (lang) => {
      try {
        return fs.readFileSync(path.join(shared, 'locales', `locales-${lang}.xml`), 'utf8');
      } catch (e) {
        return false;
      }
    },
    retrieveItem: (id) => byId[id],
  };
  const engine = new CSL.Engine(sys, fx.CSL);
  engine.updateItems(items.map((it) => it.id));
  let out;
  if (fx.MODE.trim() === 'bibliography') {
    const b = engine.makeBibliography();
    out = b[0].bibstart + b[1].join('') + b[0].bibend;
  } else {
    const clusters = fx['CITATION-ITEMS'] ? JSON.parse(fx['CITATION-ITEMS'])
      : [engine.registry.reflist.map((r) => ({ id: r.id }))];
    out = clusters.map((c) => engine.makeCitationCluster(c)).join('\n');
  }
  results[name] = out;
}
const doc = {
  generator: `citeproc-js ${CSL.PROCESSOR_VERSION} (npm citeproc), node ${process.version}, locales of ../shared/csl/locales`,
  results,
};
fs.writeFileSync(path.join(here, 'suite-errata.json'), JSON.stringify(doc, null, 1) + '\n');
