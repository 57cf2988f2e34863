// Filters the exemplars page by quality and part of the report (everything shows without it).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const dimension = document.getElementById("filter-dimension");
  const topic = document.getElementById("filter-topic");
  const count = document.getElementById("filter-count");
  if (!dimension || !topic) return;
  const apply = () => {
    let shown = 0;
    for (const group of document.querySelectorAll(".exemplar-group")) {
      const groupOn = !dimension.value || group.dataset.dimension === dimension.value;
      let visible = 0;
      for (const part of group.querySelectorAll(".exemplar-topic")) {
        const on = groupOn && (!topic.value || part.dataset.topic === topic.value);
        part.hidden = !on;
        if (on) visible += part.querySelectorAll(".exemplar").length;
      }
      group.hidden = visible === 0;
      shown += visible;
    }
    count.textContent = `${shown} example${shown === 1 ? "" : "s"}`;
  };
  dimension.addEventListener("change", apply);
  topic.addEventListener("change", apply);
  // A link to one exemplar (from the check page) shows it even when filters are set.
  const target = location.hash && document.getElementById(location.hash.slice(1));
  if (target) target.focus();
});
