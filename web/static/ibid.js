// ibid.js — the little the pages need beyond HTML and CSS. Loaded with
// defer; every page works without it.
(function () {
  "use strict";

  // Mark the section being read in the table of contents.
  function markCurrentSection() {
    var links = document.querySelectorAll('.toc a[href^="#"]');
    if (!links.length || !("IntersectionObserver" in window)) return;

    var byId = {};
    var headings = [];
    links.forEach(function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      if (!byId[id]) {
        var h = document.getElementById(id);
        if (!h) return;
        byId[id] = [];
        headings.push(h);
      }
      byId[id].push(a);
    });
    if (!headings.length) return;

    var current = null;
    function mark(id) {
      if (id === current) return;
      if (current) byId[current].forEach(function (a) { a.removeAttribute("aria-current"); });
      current = id;
      if (id) byId[id].forEach(function (a) { a.setAttribute("aria-current", "location"); });
    }

    // The current section is the last heading above the top third of the
    // window. The observer only says when to look again; scanning a few
    // dozen headings then is cheap.
    function update() {
      var line = window.innerHeight / 3;
      var id = null;
      for (var i = 0; i < headings.length; i++) {
        if (headings[i].getBoundingClientRect().top <= line) id = headings[i].id;
        else break;
      }
      mark(id);
    }

    var observer = new IntersectionObserver(update, { rootMargin: "0px 0px -66% 0px" });
    headings.forEach(function (h) { observer.observe(h); });
    window.addEventListener("hashchange", update);
    update();

    // Fold the contents after a jump on narrow screens, so that the list
    // does not push the text away.
    document.querySelectorAll("details.toc-inline a").forEach(function (a) {
      a.addEventListener("click", function () {
        var d = a.closest("details");
        if (d) d.open = false;
      });
    });
  }

  // Menus made of <details> ("Download as…") close like menus do: on a
  // click elsewhere and on Escape, which returns focus to the button.
  function closeMenus() {
    var menus = document.querySelectorAll("details.menu");
    if (!menus.length) return;
    document.addEventListener("click", function (ev) {
      menus.forEach(function (m) {
        if (m.open && !m.contains(ev.target)) m.open = false;
      });
    });
    document.addEventListener("keydown", function (ev) {
      if (ev.key !== "Escape") return;
      menus.forEach(function (m) {
        if (!m.open) return;
        m.open = false;
        m.querySelector("summary").focus();
      });
    });
  }

  // The drop zones of the check and compare forms: files dropped anywhere
  // on one go into its file input, as if chosen. Without script the input
  // still works.
  function dropZone(zoneId, inputId, verb) {
    var zone = document.getElementById(zoneId);
    var input = document.getElementById(inputId);
    if (!zone || !input || !window.DataTransfer) return;
    function on(ev) { ev.preventDefault(); zone.classList.add("dragging"); }
    function off() { zone.classList.remove("dragging"); }
    zone.addEventListener("dragenter", on);
    zone.addEventListener("dragover", on);
    zone.addEventListener("dragleave", off);
    zone.addEventListener("drop", function (ev) {
      ev.preventDefault();
      off();
      if (ev.dataTransfer && ev.dataTransfer.files.length) {
        input.files = ev.dataTransfer.files;
        input.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    var hint = zone.querySelector(".dropzone-hint");
    input.addEventListener("change", function () {
      var n = input.files.length;
      if (!hint || !n) return;
      hint.textContent = "Ready to " + verb + ": " + (n === 1 ? input.files[0].name : n + " files");
    });
  }

  // Exclusion toggles in a report recompute in place: the form is posted
  // in the background and the new report replaces the old one, so that the
  // reader keeps their place. Without script, or when anything goes wrong,
  // the form is simply submitted.
  function recomputeInPlace() {
    var form = document.getElementById("recompute");
    if (!form || !window.fetch || !window.FormData || !window.DOMParser) return;
    var busy = false;
    // focusSel finds the toggled control again in the new report: by name
    // and value, since an excluded source moves to another list.
    function recompute(focusSel) {
      if (busy) return;
      busy = true;
      form.setAttribute("aria-busy", "true");
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (resp) {
          if (!resp.ok) throw new Error("status " + resp.status);
          return resp.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector(".check-page");
          var old = document.querySelector(".check-page");
          if (!fresh || !old) throw new Error("no report");
          old.replaceWith(document.adoptNode(fresh));
          recomputeInPlace();
          var el = focusSel && document.querySelector("#recompute " + focusSel);
          if (el) el.focus();
        })
        .catch(function () { form.submit(); });
    }
    form.addEventListener("change", function (ev) {
      var t = ev.target;
      if (t.type !== "checkbox") return;
      var sel = 'input[name="' + t.name + '"]';
      if (window.CSS && CSS.escape) sel += '[value="' + CSS.escape(t.value) + '"]';
      recompute(sel);
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      recompute("");
    });
  }

  // The cite box: without script every style is a section with its
  // heading; with script the styles become tabs (arrow keys, Home and End
  // move between them) and each entry gets a Copy button.
  function citeBox() {
    var box = document.getElementById("cite-box");
    if (!box) return;
    var panels = Array.prototype.slice.call(box.querySelectorAll(".cite-style"));
    // The common styles come first and get a tab each; the rest (styles
    // loaded with --styles) share a "More…" tab with a list to pick from.
    var MAIN = 7;
    var extra = panels.length > MAIN + 1 ? panels.slice(MAIN) : [];
    if (extra.length) {
      panels = panels.slice(0, MAIN);
      var more = document.createElement("div");
      more.id = "cite_more";
      more.className = "cite-style cite-more";
      more.setAttribute("data-label", "More…");
      var label = document.createElement("label");
      label.htmlFor = "cite_more_select";
      label.textContent = "Style ";
      var pickList = document.createElement("select");
      pickList.id = "cite_more_select";
      extra.forEach(function (p, i) {
        var o = document.createElement("option");
        o.value = String(i);
        o.textContent = p.getAttribute("data-label");
        pickList.appendChild(o);
      });
      label.appendChild(pickList);
      more.appendChild(label);
      extra.forEach(function (p) {
        p.classList.add("is-tab");
        more.appendChild(p);
      });
      var pick = function () {
        extra.forEach(function (p, i) { p.hidden = String(i) !== pickList.value; });
      };
      pickList.addEventListener("change", pick);
      box.appendChild(more);
      pick();
      panels.push(more);
    }
    if (panels.length > 1) {
      var list = document.createElement("div");
      list.className = "cite-tabs";
      list.setAttribute("role", "tablist");
      list.setAttribute("aria-label", "Citation style");
      var tabs = panels.map(function (panel, i) {
        var tab = document.createElement("button");
        tab.type = "button";
        tab.className = "cite-tab";
        tab.id = panel.id + "_tab";
        tab.textContent = panel.getAttribute("data-label");
        tab.setAttribute("role", "tab");
        tab.setAttribute("aria-controls", panel.id);
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", tab.id);
        panel.setAttribute("tabindex", "0");
        panel.classList.add("is-tab");
        tab.addEventListener("click", function () { select(i); });
        list.appendChild(tab);
        return tab;
      });
      function select(k, focus) {
        tabs.forEach(function (tab, i) {
          var on = i === k;
          tab.setAttribute("aria-selected", on ? "true" : "false");
          tab.tabIndex = on ? 0 : -1;
          panels[i].hidden = !on;
        });
        if (focus) tabs[k].focus();
      }
      list.addEventListener("keydown", function (ev) {
        var k = tabs.indexOf(document.activeElement);
        if (k < 0) return;
        var n = tabs.length;
        var next = { ArrowRight: (k + 1) % n, ArrowLeft: (k - 1 + n) % n, Home: 0, End: n - 1 }[ev.key];
        if (next === undefined) return;
        ev.preventDefault();
        select(next, true);
      });
      box.insertBefore(list, box.firstChild);
      select(0);
    }

    // Copy puts the entry on the clipboard as rich text (its italics kept)
    // and as plain text; where rich text cannot be written, plain text.
    // Pages served over plain HTTP have no navigator.clipboard; copying
    // the selected entry still carries both forms there.
    function copyBySelection(entry) {
      var range = document.createRange();
      range.selectNodeContents(entry);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      sel.removeAllRanges();
      return ok ? Promise.resolve() : Promise.reject(new Error("copy refused"));
    }
    function copy(entry) {
      var text = entry.getAttribute("data-text") || entry.textContent;
      var clip = navigator.clipboard;
      if (!clip) return copyBySelection(entry);
      if (clip.write && window.ClipboardItem) {
        var item = new ClipboardItem({
          "text/html": new Blob([entry.innerHTML], { type: "text/html" }),
          "text/plain": new Blob([text], { type: "text/plain" })
        });
        return clip.write([item]).catch(function () { return clip.writeText(text); });
      }
      return clip.writeText(text);
    }
    // A live region says what was copied: a button's own label changing
    // is not announced by every screen reader.
    var live = document.createElement("p");
    live.className = "visually-hidden";
    live.setAttribute("role", "status");
    box.appendChild(live);
    box.querySelectorAll(".cite-copy").forEach(function (btn) {
      var entry = document.getElementById(btn.getAttribute("data-copy"));
      if (!entry || !(navigator.clipboard || document.execCommand)) return;
      btn.hidden = false;
      var timer = null;
      btn.addEventListener("click", function () {
        copy(entry).then(function () {
          btn.textContent = "Copied";
          live.textContent = "Copied to the clipboard.";
          clearTimeout(timer);
          timer = setTimeout(function () {
            btn.textContent = "Copy";
            live.textContent = "";
          }, 2000);
        }, function () {
          // Leave the text selected so that the reader can copy it by hand.
          var range = document.createRange();
          range.selectNodeContents(entry);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          btn.textContent = "Select and copy";
        });
      });
    });
  }

  // A comparison's pair form carries every document, so that opening a
  // pair works without script; with script it sends only the pair's two,
  // renumbered, so that a large class does not travel again per click.
  function pairForm() {
    var form = document.getElementById("pair-form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      var btn = ev.submitter;
      if (!btn || !btn.value) return;
      var ab = btn.value.split("-").map(Number);
      var names = form.querySelectorAll('input[name="name"]');
      var texts = form.querySelectorAll('input[name="text"]');
      if (!(ab[0] < names.length && ab[1] < names.length)) return;
      var off = [];
      for (var i = 0; i < names.length; i++) {
        if (i !== ab[0] && i !== ab[1]) {
          names[i].disabled = true;
          texts[i].disabled = true;
          off.push(i);
        }
      }
      var old = btn.value;
      btn.value = ab[0] < ab[1] ? "0-1" : "1-0";
      // The form's data is taken once this handler returns; put the
      // page back as it was straight after.
      setTimeout(function () {
        btn.value = old;
        off.forEach(function (i) { names[i].disabled = false; texts[i].disabled = false; });
      }, 0);
    });
  }

  markCurrentSection();
  closeMenus();
  dropZone("dropzone", "check-file", "check");
  dropZone("compare-drop", "compare-files", "compare");
  pairForm();
  recomputeInPlace();
  citeBox();
})();
