// Scrutiny's page for authors: score a draft, see what to fix first, compare two drafts.
// Plain JavaScript, no libraries, no external requests: it talks only to this service.
// Every piece of submitted or returned text is put in the page with textContent, never as HTML.
"use strict";

(() => {
  const DIMENSIONS = ["clarity", "root_cause", "child_focus", "recommendations"];
  const TITLES = {
    clarity: "Clarity",
    root_cause: "Root-cause depth",
    child_focus: "Child focus",
    recommendations: "Recommendations",
  };
  const QUESTIONS = {
    clarity: "Can a lay reader see the key events and the point being made?",
    root_cause: "Does the review ask why, down to the human and system conditions?",
    child_focus: "Is the child, and the child's experience, at the centre?",
    recommendations: "Is each recommendation addressed, specific, measurable and timed?",
  };
  const PARTS = ["addressee", "action", "timescale", "measure"];

  // ---------------------------------------------------------------------------------------
  // Small helpers

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  const $ = (id) => document.getElementById(id);
  const sentence = (text) => {
    const trimmed = String(text || "").trim();
    if (!trimmed) return "";
    const first = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
    return /[.!?)]$/.test(first) ? first : first + ".";
  };
  const score = (value) => Number(value).toFixed(2);
  const sizeText = (bytes) =>
    bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;

  function confidenceWords(confidence) {
    if (confidence >= 0.9) return "very sure";
    if (confidence >= 0.75) return "fairly sure";
    if (confidence >= 0.6) return "somewhat sure";
    return "unsure";
  }

  // Text with the [prompts] of a suggested rewrite shown apart.
  function withPrompts(text) {
    const fragment = document.createDocumentFragment();
    const prompt = /\[[^\]]+\]/g;
    let last = 0;
    let match;
    while ((match = prompt.exec(text))) {
      if (match.index > last) fragment.append(text.slice(last, match.index));
      fragment.append(el("span", { class: "prompt" }, match[0]));
      last = match.index + match[0].length;
    }
    fragment.append(text.slice(last));
    return fragment;
  }

  function more(summary, ...content) {
    return el("details", { class: "more" }, el("summary", {}, summary), ...content);
  }

  function exemplarBlock(exemplar) {
    return more(
      "What strong looks like",
      el("blockquote", {}, exemplar.text),
      el(
        "p",
        { class: "hint" },
        `A strong passage on ${TITLES[exemplar.dimension].toLowerCase()} from a fictional review written by the project (“${exemplar.heading}”). `,
        el("a", { href: `/exemplars#ex-${exemplar.id}` }, "More examples like this"),
      ),
    );
  }

  // ---------------------------------------------------------------------------------------
  // Tabs, drop zones, requests

  function setupTabs() {
    const tabs = Array.from(document.querySelectorAll('[role="tab"]'));
    const select = (tab, focus) => {
      for (const other of tabs) {
        const on = other === tab;
        other.setAttribute("aria-selected", String(on));
        other.tabIndex = on ? 0 : -1;
        $(other.getAttribute("aria-controls")).hidden = !on;
      }
      if (focus) tab.focus();
      history.replaceState(null, "", tab.id === "tab-compare" ? "#compare" : location.pathname);
    };
    tabs.forEach((tab, index) => {
      tab.addEventListener("click", () => select(tab, false));
      tab.addEventListener("keydown", (event) => {
        const moves = {
          ArrowRight: (index + 1) % tabs.length,
          ArrowLeft: (index - 1 + tabs.length) % tabs.length,
          Home: 0,
          End: tabs.length - 1,
        };
        if (event.key in moves) {
          event.preventDefault();
          select(tabs[moves[event.key]], true);
        }
      });
    });
    if (location.hash === "#compare") select($("tab-compare"), false);
  }

  function setupDrop(zone) {
    const input = $(zone.dataset.input);
    const chosen = $(`${input.id}-chosen`);
    const show = () => {
      const file = input.files[0];
      chosen.textContent = file ? `Chosen: ${file.name} (${sizeText(file.size)})` : "";
    };
    input.addEventListener("change", show);
    zone.addEventListener("dragover", (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (event) => {
      event.preventDefault();
      zone.classList.remove("over");
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        show();
      }
    });
  }

  // POST with upload progress, then a ticking "scoring" state; resolves to the parsed answer.
  function send(url, body, ui, json) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      const started = Date.now();
      let timer = null;
      const scoring = () => {
        if (timer) return;
        ui.bar.removeAttribute("value");
        const tick = () => {
          const seconds = Math.round((Date.now() - started) / 1000);
          ui.status.textContent = `Reading and scoring… ${seconds} s (a long report takes up to a minute)`;
        };
        tick();
        timer = setInterval(tick, 1000);
      };
      xhr.open("POST", url);
      xhr.setRequestHeader("Accept", "application/json");
      const key = $("api-key").value;
      if (key) xhr.setRequestHeader("X-API-Key", key);
      if (json) xhr.setRequestHeader("Content-Type", "application/json");
      xhr.upload.addEventListener("progress", (event) => {
        if (!event.lengthComputable || timer) return;
        ui.bar.max = 100;
        ui.bar.value = Math.round((100 * event.loaded) / event.total);
        ui.status.textContent = `Uploading… ${ui.bar.value}%`;
      });
      xhr.upload.addEventListener("load", scoring);
      const finish = (result) => {
        clearInterval(timer);
        resolve(result);
      };
      xhr.addEventListener("load", () => {
        let data = null;
        try {
          data = JSON.parse(xhr.responseText);
        } catch (error) {
          data = null;
        }
        finish({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data });
      });
      xhr.addEventListener("error", () => finish({ ok: false, status: 0, data: null }));
      ui.status.textContent = "Sending…";
      xhr.send(body);
      if (json) scoring();
    });
  }

  function busy(ui, on) {
    ui.button.disabled = on;
    ui.progress.hidden = !on;
    if (on) {
      ui.error.hidden = true;
      ui.error.replaceChildren();
    }
  }

  function showProblem(box, answer) {
    box.replaceChildren();
    if (answer.status === 0) {
      box.append(
        el("strong", {}, "The service could not be reached."),
        "Check your connection, or that the service is running, and try again.",
      );
    } else {
      const problem = answer.data || {};
      box.append(
        el("strong", {}, problem.title || `The service answered with status ${answer.status}`),
        problem.detail || "Please try again.",
      );
    }
    box.hidden = false;
    box.focus();
  }

  // Results start at the top of the screen, with the keyboard focus on their heading.
  function arrive(heading) {
    heading.focus({ preventScroll: true });
    heading.scrollIntoView({ block: "start" });
  }

  function showMessage(box, title, detail) {
    box.replaceChildren(el("strong", {}, title), detail);
    box.hidden = false;
    box.focus();
  }

  // ---------------------------------------------------------------------------------------
  // Scoring a draft

  const scoreUi = () => ({
    button: $("score-button"),
    progress: $("score-progress"),
    bar: $("score-bar"),
    status: $("score-status"),
    error: $("score-error"),
  });

  async function onScore(event) {
    event.preventDefault();
    const ui = scoreUi();
    const file = $("file").files[0];
    const text = $("text").value;
    let body;
    let url;
    let json = false;
    if (file) {
      body = new FormData();
      body.append("file", file);
      url = "/v1/score/file?include_text=true";
    } else if (text.trim()) {
      body = JSON.stringify({ text, include_text: true });
      url = "/v1/score";
      json = true;
    } else {
      showMessage(ui.error, "Nothing to score yet.", "Choose a file, drop one on the box, or paste the text.");
      return;
    }
    busy(ui, true);
    const answer = await send(url, body, ui, json);
    busy(ui, false);
    if (!answer.ok || !answer.data) {
      showProblem(ui.error, answer);
      return;
    }
    renderResults(answer.data);
    $("score-announce").textContent =
      `Scored: ${answer.data.sections.length} sections, ${answer.data.fix_first.length} changes to fix first.`;
  }

  function renderResults(result) {
    $("results").hidden = false;
    const doc = result.document;
    const facts = [
      doc.title || "Untitled draft",
      `${result.sections.length} sections`,
      `${doc.characters.toLocaleString("en-GB")} characters`,
    ];
    if (doc.pages) facts.push(`${doc.pages} pages`);
    facts.push(`scored in ${(result.timings_ms.total / 1000).toFixed(1)} s by ${result.model.name} ${result.model.version}`);
    $("doc-meta").textContent = facts.join(" · ");
    $("ratings").replaceChildren(...DIMENSIONS.map((d) => ratingCard(d, result.ratings[d])));
    renderFixFirst(result);
    renderLayers(result);
    renderReport(result);
    renderRecommendations(result);
    arrive($("h-ratings"));
  }

  function ratingCard(dimension, rating) {
    const card = el("li", { class: "rating", "data-dimension": dimension }, el("h3", {}, TITLES[dimension]));
    const label = (text) =>
      el("p", { class: "level" }, el("span", { class: "level-label", "data-testid": `rating-${dimension}` }, text));
    if (!rating) {
      card.append(
        label("not rated"),
        el(
          "p",
          { class: "confidence" },
          dimension === "recommendations" ? "No recommendations were found in this draft." : "Not rated in this draft.",
        ),
      );
      return card;
    }
    card.append(
      label(rating.label),
      el("div", { class: "bar", "aria-hidden": "true" }, [0, 1, 2, 3].map((i) => el("span", { class: i <= rating.level ? "on" : "" }))),
      el(
        "p",
        { class: "confidence" },
        `Level ${rating.level} of 3, score ${score(rating.score)}. ${sentence(confidenceWords(rating.confidence)).slice(0, -1)} (${Math.round(rating.confidence * 100)}% likely right).`,
      ),
    );
    if (rating.needs_review) card.append(el("p", { class: "flag" }, "⚑ Needs a second look"));
    card.append(el("p", { class: "question" }, QUESTIONS[dimension]));
    return card;
  }

  function renderFixFirst(result) {
    const list = $("fix-first");
    list.replaceChildren(...result.fix_first.map((fix, index) => fixItem(fix, index)));
    $("fix-none").hidden = result.fix_first.length > 0;
  }

  function fixItem(fix, index) {
    const title = TITLES[fix.dimension];
    const place = fix.heading || "the opening";
    const levelUp = fix.report_after.level > fix.report_before.level;
    const item = el(
      "li",
      { class: "fix", "data-dimension": fix.dimension, id: `fix-${index + 1}` },
      el("h3", {}, `${title}: `, el("a", { href: `#fixpos-${index + 1}` }, place)),
      el(
        "p",
        { class: "gain" },
        `Would raise the report's ${title.toLowerCase()} score from ${score(fix.report_before.score)} to ${score(fix.report_after.score)}` +
          (levelUp ? ` (from ${fix.report_before.label} to ${fix.report_after.label})` : "") +
          `, and this section's from ${fix.section_before.label} (${score(fix.section_before.score)}) to ${fix.section_after.label} (${score(fix.section_after.score)}).`,
      ),
      el("p", {}, el("strong", {}, "What holds it back: "), sentence(fix.reason)),
      el("p", {}, el("strong", {}, "Try: "), fix.suggestion),
      more("Suggested rewrite", el("blockquote", { class: "rewrite" }, withPrompts(fix.rewrite))),
      more("The passage as written", el("blockquote", {}, fix.text)),
    );
    if (fix.exemplar) item.append(exemplarBlock(fix.exemplar));
    return item;
  }

  function renderLayers(result) {
    const box = $("layers");
    const legend = box.querySelector("legend");
    const counts = {};
    for (const section of result.sections) {
      for (const h of section.highlights) {
        counts[h.dimension] = (counts[h.dimension] || 0) + 1;
        counts[h.polarity] = (counts[h.polarity] || 0) + 1;
      }
    }
    const layers = [
      ...DIMENSIONS.map((d) => [d, TITLES[d], d]),
      ["strength", "▲ Strengths", null],
      ["weakness", "▼ Weaknesses", null],
    ];
    box.replaceChildren(legend);
    for (const [layer, name, dimension] of layers) {
      const input = el("input", { type: "checkbox", checked: true, "data-layer": layer, id: `layer-${layer}` });
      input.addEventListener("change", () => $("report").classList.toggle(`hide-${layer}`, !input.checked));
      box.append(
        el(
          "label",
          { for: `layer-${layer}`, "data-dimension": dimension },
          input,
          dimension ? el("span", { class: "swatch", "aria-hidden": "true" }) : null,
          `${name} (${counts[layer] || 0})`,
        ),
      );
    }
  }

  function paragraphs(text, start, end) {
    const out = [];
    const breaks = /\n+/g;
    breaks.lastIndex = start;
    let position = start;
    let match;
    while ((match = breaks.exec(text)) && match.index < end) {
      if (match.index > position) out.push([position, match.index]);
      position = match.index + match[0].length;
    }
    if (position < end) out.push([position, end]);
    return out;
  }

  function wrapSpan(span, inner, first) {
    if (span.kind === "fix") {
      const target = el("span", { class: "fix-target" });
      if (first) {
        target.id = span.item.id;
        target.tabIndex = -1;
      }
      target.append(inner);
      return target;
    }
    const h = span.item;
    const mark = el("mark", { class: h.polarity, "data-dimension": h.dimension, "data-polarity": h.polarity });
    if (first) {
      mark.id = h.id;
      mark.tabIndex = -1;
      mark.append(
        el("span", { class: "badge", "aria-hidden": "true" }, `${h.polarity === "weakness" ? "▼" : "▲"}${h.n}`),
        el("span", { class: "sr-only" }, `${h.polarity} ${h.n}, ${TITLES[h.dimension]}: `),
      );
    }
    mark.append(inner);
    return mark;
  }

  // One paragraph, with highlights nested where they overlap (one mark per dimension).
  function paragraphView(text, start, end, highlights, fixes) {
    const spans = [
      ...highlights.map((h) => ({ kind: "mark", item: h, start: Math.max(h.start, start), end: Math.min(h.end, end), from: h.start })),
      ...fixes.map((f) => ({ kind: "fix", item: f, start: Math.max(f.start, start), end: Math.min(f.end, end), from: f.start })),
    ].filter((s) => s.start < s.end);
    const points = Array.from(new Set([start, end, ...spans.flatMap((s) => [s.start, s.end])])).sort((a, b) => a - b);
    const paragraph = el("p");
    for (let k = 0; k + 1 < points.length; k++) {
      const [a, b] = [points[k], points[k + 1]];
      const covering = spans
        .filter((s) => s.start <= a && s.end >= b)
        .sort((x, y) => x.start - y.start || y.end - x.end || (x.kind === "fix" ? -1 : 1));
      let node = document.createTextNode(text.slice(a, b));
      for (const span of covering.reverse()) node = wrapSpan(span, node, a === span.from);
      paragraph.append(node);
    }
    return paragraph;
  }

  function noteView(h) {
    const note = el(
      "li",
      { class: `note ${h.polarity}`, id: `note-${h.id}`, "data-dimension": h.dimension },
      el(
        "p",
        {},
        el("span", { class: "kind" }, `${h.polarity === "weakness" ? "▼ Weakness" : "▲ Strength"} ${h.n}`),
        ` · ${TITLES[h.dimension]}${h.page ? ` · page ${h.page}` : ""} · `,
        el("a", { href: `#${h.id}` }, "show in the text"),
      ),
      el("p", {}, sentence(h.reason)),
    );
    if (h.suggestion) {
      note.append(h.polarity === "weakness" ? el("p", {}, el("strong", {}, "Try: "), h.suggestion) : el("p", {}, h.suggestion));
    }
    if (h.exemplar) note.append(exemplarBlock(h.exemplar));
    return note;
  }

  function renderReport(result) {
    const report = $("report");
    report.className = "report";
    report.replaceChildren();
    for (const input of $("layers").querySelectorAll("input")) input.checked = true;
    const text = result.document.text;
    if (text === null || text === undefined) {
      report.append(el("p", {}, "The text was not returned, so highlights cannot be shown in place."));
      return;
    }
    const fixes = result.fix_first.map((fix, index) => ({ ...fix, id: `fixpos-${index + 1}` }));
    let n = 0;
    for (const section of result.sections) {
      const highlights = section.highlights.map((h) => ({ ...h, n: ++n, id: `hl-${n}` }));
      const here = fixes.filter((f) => f.section === section.index);
      const view = el(
        "section",
        { class: "doc-section", id: `sec-${section.index}`, "aria-labelledby": `sec-${section.index}-h` },
        el("h3", { id: `sec-${section.index}-h` }, section.heading || "Opening"),
      );
      const chips = DIMENSIONS.filter((d) => section.ratings[d]).map((d) =>
        el(
          "li",
          { "data-dimension": d },
          `${TITLES[d]}: ${section.ratings[d].label}${section.ratings[d].needs_review ? " (needs a second look)" : ""}`,
        ),
      );
      if (chips.length) view.append(el("ul", { class: "section-ratings", "aria-label": "Ratings of this section" }, chips));
      // Each note follows the paragraph its highlight starts in.
      const body = el("div", { class: "doc-text" });
      const heading = (section.heading || "").trim();
      const placed = new Set();
      paragraphs(text, section.start, section.end).forEach(([start, end], index) => {
        if (index === 0 && heading && text.slice(start, end).trim() === heading) return;
        body.append(paragraphView(text, start, end, highlights, here));
        const notes = highlights.filter((h) => !placed.has(h.id) && h.start < end);
        notes.forEach((h) => placed.add(h.id));
        if (notes.length) body.append(el("ol", { class: "notes", "aria-label": "Notes on this paragraph" }, notes.map(noteView)));
      });
      const rest = highlights.filter((h) => !placed.has(h.id));
      if (rest.length) body.append(el("ol", { class: "notes", "aria-label": "Notes on this section" }, rest.map(noteView)));
      view.append(body);
      report.append(view);
    }
  }

  function renderRecommendations(result) {
    const wrap = $("recs-wrap");
    wrap.replaceChildren();
    if (!result.recommendations.length) {
      wrap.append(el("p", {}, "No recommendations were found. If the draft has them, check that they sit under a heading such as “Recommendations”."));
      return;
    }
    const missingCell = (part, label) =>
      el("td", { class: "missing", "data-label": label }, "✗ Missing", el("span", { class: "sr-only" }, `: no ${part}`));
    const rows = result.recommendations.map((rec, index) => {
      const gaps = new Set(rec.missing);
      const who = rec.addressees.length
        ? el(
            "td",
            { "data-label": "Addressed to" },
            rec.addressees.join("; "),
            rec.vague_addressee ? el("span", { class: "vague" }, "⚠ General: name an organisation or role") : null,
          )
        : missingCell("addressee", "Addressed to");
      const cell = (part, label, value) =>
        gaps.has(part) || !value ? missingCell(part, label) : el("td", { "data-label": label }, value);
      return el(
        "tr",
        { "data-missing": rec.missing.join(" ") },
        el("td", { "data-label": "#" }, String(index + 1)),
        el("td", { "data-label": "Recommendation" }, rec.text),
        who,
        cell("action", "Action", rec.action),
        cell("timescale", "Timescale", rec.timescale),
        cell("measure", "Measure", rec.measure),
        el("td", { "data-label": "Rating" }, rec.rating ? rec.rating.label : "not rated"),
      );
    });
    wrap.append(
      el(
        "table",
        { id: "recs", class: "stack" },
        el("caption", { class: "sr-only" }, "Recommendations and their parts"),
        el(
          "thead",
          {},
          el("tr", {}, ["#", "Recommendation", "Addressed to", "Action", "Timescale", "Measure", "Rating"].map((h) => el("th", { scope: "col" }, h))),
        ),
        el("tbody", {}, rows),
      ),
    );
  }

  // ---------------------------------------------------------------------------------------
  // Comparing two drafts

  const compareUi = () => ({
    button: $("compare-button"),
    progress: $("compare-progress"),
    bar: $("compare-bar"),
    status: $("compare-status"),
    error: $("compare-error"),
  });

  function draftPart(side, name) {
    const file = $(`${side}-file`).files[0];
    if (file) return file;
    const text = $(`${side}-text`).value;
    return text.trim() ? new File([text], `${name}.txt`, { type: "text/plain" }) : null;
  }

  async function onCompare(event) {
    event.preventDefault();
    const ui = compareUi();
    const before = draftPart("before", "earlier-draft");
    const after = draftPart("after", "revised-draft");
    if (!before || !after) {
      showMessage(
        ui.error,
        `Add the ${before ? "revised" : "earlier"} draft.`,
        "Choose a file or paste the text for both drafts.",
      );
      return;
    }
    const body = new FormData();
    body.append("before", before);
    body.append("after", after);
    busy(ui, true);
    const answer = await send("/v1/compare?include_text=false", body, ui, false);
    busy(ui, false);
    if (!answer.ok || !answer.data) {
      showProblem(ui.error, answer);
      return;
    }
    renderCompare(answer.data);
    $("compare-announce").textContent =
      `Compared: ${answer.data.resolved.length} weaknesses resolved, ${answer.data.new.length} new.`;
  }

  function changeView(change) {
    if (!change || !change.direction) return el("span", { class: "same" }, "–");
    if (change.direction === "improved") {
      return el("span", { class: "up" }, `▲ +${change.change.toFixed(2)} improved`);
    }
    if (change.direction === "worse") {
      return el("span", { class: "down" }, `▼ ${change.change.toFixed(2)} got worse`);
    }
    if (change.direction === "unchanged") return el("span", { class: "same" }, "= no real change");
    return el("span", { class: "same" }, change.direction);
  }

  const ratingText = (rating) => (rating ? `${rating.label} (${score(rating.score)})` : "not rated");

  function weaknessList(items, symbol, howWords) {
    if (!items.length) return el("p", { class: "hint" }, "None.");
    return el(
      "ul",
      { class: "changes" },
      items.map((w) =>
        el(
          "li",
          { "data-dimension": w.dimension },
          el("strong", {}, `${symbol} ${TITLES[w.dimension]}`),
          ` · ${w.heading || "the opening"} · ${howWords[w.how] || w.how}`,
          el("br"),
          sentence(w.reason),
          el("blockquote", {}, w.text.length > 400 ? `${w.text.slice(0, 400)}…` : w.text),
        ),
      ),
    );
  }

  function renderCompare(result) {
    const box = $("compare-results");
    const heading = el("h2", { tabindex: "-1", id: "h-compare" }, "What changed");
    const summary = el(
      "p",
      { class: "lead" },
      `${result.resolved.length} weaknesses resolved, ${result.new.length} new, ${result.persisting.length} still to work on.`,
    );
    const overall = el(
      "div",
      { class: "table-wrap", role: "region", "aria-label": "Report ratings, earlier and revised", tabindex: "0" },
      el(
        "table",
        {},
        el("caption", {}, "The whole report"),
        el("thead", {}, el("tr", {}, ["Dimension", "Earlier draft", "Revised draft", "Change"].map((h) => el("th", { scope: "col" }, h)))),
        el(
          "tbody",
          {},
          DIMENSIONS.map((d) =>
            el(
              "tr",
              { "data-dimension": d },
              el("th", { scope: "row" }, TITLES[d]),
              el("td", {}, ratingText(result.ratings[d].before)),
              el("td", {}, ratingText(result.ratings[d].after)),
              el("td", {}, changeView(result.ratings[d])),
            ),
          ),
        ),
      ),
    );
    const statusWords = { matched: "", added: " (new section)", removed: " (removed)" };
    const sections = el(
      "div",
      { class: "table-wrap", role: "region", "aria-label": "Changes section by section", tabindex: "0" },
      el(
        "table",
        {},
        el("caption", {}, "Section by section"),
        el("thead", {}, el("tr", {}, ["Section", ...DIMENSIONS.map((d) => TITLES[d])].map((h) => el("th", { scope: "col" }, h)))),
        el(
          "tbody",
          {},
          result.sections.map((s) =>
            el(
              "tr",
              {},
              el("th", { scope: "row" }, `${s.heading || "Opening"}${statusWords[s.status]}`),
              DIMENSIONS.map((d) => el("td", {}, changeView(s.ratings[d]))),
            ),
          ),
        ),
      ),
    );
    const counts = result.recommendations;
    const recRows = [
      ["Recommendations", counts.before.items, counts.after.items],
      ["With every part (owner, action, timescale, measure)", counts.before.complete, counts.after.complete],
      ["Addressed only in general terms", counts.before.vague_addressee, counts.after.vague_addressee],
      ...PARTS.map((p) => [`Without a ${p}`, counts.before.missing[p], counts.after.missing[p]]),
    ];
    const recs = el(
      "div",
      { class: "table-wrap", role: "region", "aria-label": "Recommendations, earlier and revised", tabindex: "0" },
      el(
        "table",
        {},
        el("caption", {}, "Recommendations"),
        el("thead", {}, el("tr", {}, ["", "Earlier draft", "Revised draft"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, recRows.map(([name, a, b]) => el("tr", {}, el("th", { scope: "row" }, name), el("td", {}, a), el("td", {}, b)))),
      ),
    );
    box.replaceChildren(
      heading,
      summary,
      overall,
      sections,
      el("h3", {}, "Weaknesses resolved"),
      weaknessList(result.resolved, "✓", { rewritten: "rewritten", "no longer there": "no longer in the draft" }),
      el("h3", {}, "New weaknesses"),
      weaknessList(result.new, "!", { "new text": "in new text", rewritten: "in rewritten text" }),
      more(`Still to work on (${result.persisting.length})`, weaknessList(result.persisting, "•", { "still there": "still there" })),
      recs,
    );
    box.hidden = false;
    arrive(heading);
  }

  // ---------------------------------------------------------------------------------------
  // Printing: every collapsed part opens for the printout and closes again after.

  function setupPrint() {
    $("print-button").addEventListener("click", () => window.print());
    window.addEventListener("beforeprint", () => {
      for (const details of document.querySelectorAll("#results details:not([open])")) {
        details.dataset.printOpened = "1";
        details.open = true;
      }
    });
    window.addEventListener("afterprint", () => {
      for (const details of document.querySelectorAll("details[data-print-opened]")) {
        details.open = false;
        delete details.dataset.printOpened;
      }
    });
  }

  // A link to a place in the page moves the keyboard focus there too, not only the view.
  function setupInPageLinks() {
    document.addEventListener("click", (event) => {
      const link = event.target.closest('a[href^="#"]');
      const target = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target) return;
      if (!target.hasAttribute("tabindex")) target.tabIndex = -1;
      requestAnimationFrame(() => target.focus());
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupTabs();
    setupInPageLinks();
    document.querySelectorAll(".drop").forEach(setupDrop);
    $("score-form").addEventListener("submit", onScore);
    $("compare-form").addEventListener("submit", onCompare);
    setupPrint();
  });
})();
