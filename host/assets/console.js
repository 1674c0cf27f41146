// Huitang console: the only script. Forms marked data-api post JSON to the API (dotted names
// as nested objects, data-list fields as lists, data-number fields as numbers, data-bool
// fields as true/false) with the CSRF
// header and show the bilingual refusal; live regions re-fetch their fragment on every change
// the event stream reports; data-countdown numbers count down each second; buttons marked
// data-print print the page.
"use strict";
(function () {
  const meta = (name) => (document.querySelector(`meta[name="${name}"]`) || {}).content || "";
  const lang = meta("lang") || "zh";
  const live = document.getElementById("live");
  const flash = document.getElementById("flash");
  let pending = null;

  function refresh() {
    if (!live) return;
    const lq = "?lang=" + lang;
    fetch(live.dataset.live + lq, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.text() : Promise.reject(r.status)))
      .then((html) => { live.innerHTML = html; live.dataset.refreshed = String(Date.now()); })
      .catch(() => {});
  }
  function soon() {
    if (pending) return;
    pending = setTimeout(() => { pending = null; refresh(); }, 100);
  }
  function say(text, isError) {
    if (!flash) return;
    flash.textContent = text || "";
    flash.className = "flash" + (isError ? " error" : "");
  }

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!form.matches("form[data-api]")) return;
    ev.preventDefault();
    const body = {};
    for (const el of form.elements) {
      if (!el.name) continue;
      let value = el.type === "checkbox" ? el.checked : el.value;
      // data-list: a list typed as "a, b" or "a、b"; a dotted name fills a nested object.
      if (el.hasAttribute("data-list")) value = value.split(/[\s,，、]+/).filter((x) => x);
      // data-number: a number field (seat numbers).
      if (el.hasAttribute("data-number")) value = Number(value);
      // data-bool: a hidden "true"/"false" field (the fire alarm's on).
      if (el.hasAttribute("data-bool")) value = value === "true";
      const path = el.name.split(".");
      let target = body;
      for (const key of path.slice(0, -1)) target = target[key] = target[key] || {};
      target[path[path.length - 1]] = value;
    }
    const res = await fetch(form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "content-type": "application/json", "x-csrf-token": meta("csrf-token") },
      body: JSON.stringify(body),
    });
    if (res.ok) {
      say("", false);
      if (form.hasAttribute("data-reload")) { location.reload(); return; }
      if (form.querySelector("input[type=text], input:not([type])")) form.reset();
      refresh();
    } else {
      const e = await res.json().catch(() => ({}));
      say((lang === "en" ? e.message_en : e.message_zh) || ("HTTP " + res.status), true);
    }
  });

  document.addEventListener("click", (ev) => {
    if (ev.target.closest("[data-print]")) window.print();
  });

  // data-countdown: seconds left of a speaking turn as of the last refresh; counted down here
  // each second so the display runs between changes (the host's timer ends the turn).
  setInterval(() => {
    const now = Date.now();
    for (const el of document.querySelectorAll("[data-countdown]")) {
      if (!el.dataset.t0) el.dataset.t0 = String(now);
      const left = Number(el.dataset.countdown) - Math.floor((now - Number(el.dataset.t0)) / 1000);
      el.textContent = String(Math.max(0, left));
    }
  }, 1000);

  if (live && window.EventSource) {
    const es = new EventSource("/api/events");
    es.addEventListener("change", (e) => {
      const c = JSON.parse(e.data || "{}");
      if (!c.meeting || c.meeting === live.dataset.meeting) soon();
    });
    es.addEventListener("lagged", soon);
    es.onopen = soon;
  }
})();
