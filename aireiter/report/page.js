// The report's gallery, filters and timeline, built from the JSON block "report-data".
// Text from jobs (prompts, errors, ids) is only ever set with textContent or as an
// attribute value: never parsed as markup.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var CHUNK = 120; // cards added at a time, as the end of the gallery scrolls into view
  var ID = 0, MODEL = 1, STATUS = 2, PROMPT = 3, ERROR = 4, EST = 5, USED = 6;
  var T_SUB = 7, T_PROC = 8, T_END = 9, MEDIA = 10;
  var models = data.models, statuses = data.statuses, jobs = data.jobs;
  var FINISHED = { completed: 1, failed: 1, cancelled: 1, conflict: 1 };

  function byId(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function seconds(s) {
    if (s === null || s === undefined) return "";
    if (s < 120) return s.toFixed(1) + " s";
    if (s < 7200) return (s / 60).toFixed(1) + " min";
    return (s / 3600).toFixed(1) + " h";
  }
  function duration(job) {
    return job[T_SUB] !== null && job[T_END] !== null ? job[T_END] - job[T_SUB] : null;
  }
  // Only http(s) URLs and relative file paths (no scheme) are loaded.
  function safeSrc(src) {
    return typeof src === "string" && /^(https?:\/\/|[^:]*$)/i.test(src) ? src : null;
  }

  // --- filters ---------------------------------------------------------------------------
  var fModel = byId("f-model"), fStatus = byId("f-status"), fSearch = byId("f-search");
  var shown = byId("shown-count"), gallery = byId("gallery"), more = byId("more");
  function addOptions(select, names, counts, label) {
    names.forEach(function (name, i) {
      var option = el("option", null, label(name, i) + " (" + counts[i] + ")");
      option.value = String(i);
      select.appendChild(option);
    });
  }
  var modelCounts = models.map(function () { return 0; });
  var statusCounts = statuses.map(function () { return 0; });
  jobs.forEach(function (job) { modelCounts[job[MODEL]]++; statusCounts[job[STATUS]]++; });
  addOptions(fModel, models, modelCounts, function (m) { return m[0]; });
  addOptions(fStatus, statuses, statusCounts, function (s) { return s; });

  function readHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    var model = params.get("model"), status = params.get("status");
    models.forEach(function (m, i) { if (m[0] === model) fModel.value = String(i); });
    statuses.forEach(function (s, i) { if (s === status) fStatus.value = String(i); });
    fSearch.value = params.get("q") || "";
  }
  function writeHash() {
    var params = new URLSearchParams();
    if (fModel.value) params.set("model", models[+fModel.value][0]);
    if (fStatus.value) params.set("status", statuses[+fStatus.value]);
    if (fSearch.value) params.set("q", fSearch.value);
    var text = params.toString();
    history.replaceState(null, "", text ? "#" + text : location.pathname + location.search);
  }

  // --- gallery ---------------------------------------------------------------------------
  var filtered = [], rendered = 0;
  var videoWatch = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (!entry.isIntersecting) return;
      videoWatch.unobserve(entry.target);
      loadVideo(entry.target);
    });
  }, { rootMargin: "300px" }) : null;

  function loadVideo(video) {
    var src = video.getAttribute("data-src");
    video.preload = "metadata"; // the first frame is the poster; nothing more until played
    video.src = src.indexOf("#") < 0 ? src + "#t=0.1" : src;
  }
  function missing(node) {
    var thumb = node.closest(".thumb");
    if (!thumb || thumb.classList.contains("missing")) return;
    thumb.classList.add("missing");
    thumb.appendChild(el("div", "ph", "output not available (the file is gone or the URL expired)"));
  }
  function onMediaError(event) {
    var node = event.target, fallback = safeSrc(node.getAttribute("data-fallback"));
    if (fallback && !node.hasAttribute("data-fell-back")) {
      node.setAttribute("data-fell-back", "");
      if (node.tagName === "VIDEO") { node.setAttribute("data-src", fallback); loadVideo(node); }
      else node.src = fallback;
      return;
    }
    missing(node);
  }

  function thumb(job) {
    var box = el("div", "thumb"), media = job[MEDIA], status = statuses[job[STATUS]];
    var first = media.length ? media[0] : null, src = first ? safeSrc(first[1]) : null;
    if (!src) {
      box.appendChild(el("div", "ph", status === "completed" ? "no output" : status));
      return box;
    }
    var node;
    if (first[0] === 1) {
      node = el("video");
      node.controls = true;
      node.preload = "none";
      node.playsInline = true;
      node.setAttribute("data-src", src);
      box.appendChild(el("span", "kind", "video"));
      if (videoWatch) videoWatch.observe(node); else loadVideo(node);
    } else {
      node = el("img");
      node.loading = "lazy";
      node.decoding = "async";
      node.alt = job[PROMPT] || job[ID];
      node.src = src;
    }
    if (safeSrc(first[2])) node.setAttribute("data-fallback", first[2]);
    node.addEventListener("error", onMediaError);
    if (first[0] === 1) box.insertBefore(node, box.firstChild);
    else {
      var link = el("a");
      link.href = src;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.appendChild(node);
      box.appendChild(link);
    }
    if (media.length > 1) {
      var next = safeSrc(media[1][1]);
      var extra = el(next ? "a" : "span", "more", "+" + (media.length - 1));
      if (next) { extra.href = next; extra.target = "_blank"; extra.rel = "noopener noreferrer"; }
      extra.title = (media.length - 1) + " more output(s)";
      box.appendChild(extra);
    }
    return box;
  }

  function card(job) {
    var status = statuses[job[STATUS]], model = models[job[MODEL]];
    var fig = el("figure", "card " + status);
    fig.setAttribute("data-id", job[ID]);
    fig.setAttribute("data-model", model[0]);
    fig.setAttribute("data-status", status);
    fig.appendChild(thumb(job));
    var cap = el("figcaption");
    var prompt = el("p", "prompt", job[PROMPT] === null ? "(no prompt recorded)" : job[PROMPT]);
    if (job[PROMPT] !== null) prompt.title = job[PROMPT];
    cap.appendChild(prompt);
    var facts = el("div", "facts");
    facts.appendChild(el("span", "chip", model[0]));
    if (model[2] !== "default") facts.appendChild(el("span", "chip", "channel " + model[2]));
    facts.appendChild(el("span", "chip " + status, status));
    var credits = job[USED] !== null ? job[USED] : job[EST];
    if (credits !== null) {
      facts.appendChild(el("span", null, credits + (job[USED] !== null ? " credits" : " credits (est.)")));
    }
    var d = duration(job);
    if (d !== null) facts.appendChild(el("span", null, seconds(d)));
    cap.appendChild(facts);
    if (job[ERROR] !== null) cap.appendChild(el("p", "error", job[ERROR]));
    cap.appendChild(el("span", "id", job[ID]));
    fig.appendChild(cap);
    return fig;
  }

  function renderMore() {
    var end = Math.min(filtered.length, rendered + CHUNK), frag = document.createDocumentFragment();
    for (var i = rendered; i < end; i++) frag.appendChild(card(jobs[filtered[i]]));
    gallery.appendChild(frag);
    rendered = end;
    shown.textContent = "showing " + filtered.length.toLocaleString() + " of " +
      jobs.length.toLocaleString() + " jobs";
  }
  function sentinelNear() {
    return more.getBoundingClientRect().top < window.innerHeight + 600;
  }
  function fill(untilY) {
    while (rendered < filtered.length && (sentinelNear() ||
        (untilY && document.documentElement.scrollHeight < untilY + window.innerHeight))) {
      renderMore();
    }
  }
  function apply() {
    var model = fModel.value === "" ? -1 : +fModel.value;
    var status = fStatus.value === "" ? -1 : +fStatus.value;
    var q = fSearch.value.toLowerCase();
    filtered = [];
    for (var i = 0; i < jobs.length; i++) {
      var job = jobs[i];
      if (model >= 0 && job[MODEL] !== model) continue;
      if (status >= 0 && job[STATUS] !== status) continue;
      if (q && (job[PROMPT] || "").toLowerCase().indexOf(q) < 0 &&
          job[ID].toLowerCase().indexOf(q) < 0) continue;
      filtered.push(i);
    }
    gallery.textContent = "";
    rendered = 0;
    renderMore();
    fill();
    writeHash();
  }
  byId("filters").addEventListener("submit", function (event) { event.preventDefault(); });
  fModel.addEventListener("change", apply);
  fStatus.addEventListener("change", apply);
  var typing = 0;
  fSearch.addEventListener("input", function () { clearTimeout(typing); typing = setTimeout(apply, 150); });
  if ("IntersectionObserver" in window) {
    new IntersectionObserver(function (entries) {
      if (entries[0].isIntersecting) fill();
    }, { rootMargin: "600px" }).observe(more);
  }
  window.addEventListener("scroll", function () { if (sentinelNear()) fill(); }, { passive: true });

  // --- timeline --------------------------------------------------------------------------
  var canvas = byId("timeline"), tip = byId("tip");
  var LABEL_W = 150, AXIS_H = 20, order = [], layout = null;
  var css = getComputedStyle(document.documentElement);
  function color(name) { return css.getPropertyValue(name).trim(); }
  function rows() {
    order = [];
    for (var i = 0; i < jobs.length; i++) if (jobs[i][T_SUB] !== null) order.push(i);
    order.sort(function (a, b) {
      var ma = models[jobs[a][MODEL]][0], mb = models[jobs[b][MODEL]][0];
      if (ma !== mb) return ma < mb ? -1 : 1;
      return jobs[a][T_SUB] - jobs[b][T_SUB] || (jobs[a][T_END] || 1e12) - (jobs[b][T_END] || 1e12);
    });
  }
  function niceStep(span) {
    var steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];
    for (var i = 0; i < steps.length; i++) if (span / steps[i] <= 8) return steps[i];
    return steps[steps.length - 1];
  }
  function draw() {
    var n = order.length, width = canvas.parentNode.clientWidth;
    var height = Math.max(60, Math.min(420, n * 6)) + AXIS_H;
    var dpr = window.devicePixelRatio || 1;
    canvas.style.height = height + "px";
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    var ctx = canvas.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    ctx.font = "11px system-ui, sans-serif";
    if (!n) {
      ctx.fillStyle = color("--muted");
      ctx.fillText("no job has a submit time yet", 8, 20);
      return;
    }
    var now = data.now === null ? 0 : data.now, tmax = 0;
    order.forEach(function (i) {
      var job = jobs[i], end = job[T_END] !== null ? job[T_END] : now;
      if (end > tmax) tmax = end;
    });
    tmax = Math.max(tmax, 0.001);
    var plotW = Math.max(10, width - LABEL_W - 10), rowH = (height - AXIS_H) / n;
    function x(t) { return LABEL_W + (t / tmax) * plotW; }
    var ok = color("--ok"), bad = color("--bad"), run = color("--run"), wait = color("--wait");
    var other = color("--muted"), gap = rowH > 3 ? 1 : 0, bandStart = 0;
    for (var r = 0; r < n; r++) {
      var job = jobs[order[r]], y = r * rowH, h = Math.max(1, rowH - gap);
      var status = statuses[job[STATUS]], sub = job[T_SUB];
      var end = job[T_END] !== null ? job[T_END] : (FINISHED[status] ? sub : now);
      var seen = job[T_PROC] !== null ? job[T_PROC] : sub;
      if (seen > sub) { ctx.fillStyle = wait; ctx.fillRect(x(sub), y, Math.max(1, x(seen) - x(sub)), h); }
      ctx.fillStyle = status === "completed" ? ok : status === "failed" ? bad :
        FINISHED[status] ? other : run;
      ctx.fillRect(x(seen), y, Math.max(1, x(end) - x(seen)), h);
      var last = r === n - 1 || jobs[order[r + 1]][MODEL] !== job[MODEL];
      if (last) {
        var bandH = (r + 1) * rowH - bandStart;
        ctx.fillStyle = color("--ink");
        if (bandH >= 10) ctx.fillText(models[job[MODEL]][0].slice(0, 22), 4, bandStart + Math.min(bandH, 24) / 2 + 4);
        ctx.fillStyle = color("--line");
        ctx.fillRect(0, (r + 1) * rowH - 0.5, width, 0.5);
        bandStart = (r + 1) * rowH;
      }
    }
    var step = niceStep(tmax), axisY = height - AXIS_H;
    ctx.fillStyle = color("--muted");
    for (var t = 0; t <= tmax + 1e-9; t += step) {
      ctx.fillRect(x(t), axisY, 1, 4);
      ctx.fillText(seconds(t), x(t) + 2, axisY + 14);
    }
    layout = { rowH: rowH, n: n, x: x, tmax: tmax };
  }
  canvas.addEventListener("mousemove", function (event) {
    if (!layout) return;
    var rect = canvas.getBoundingClientRect(), y = event.clientY - rect.top;
    var r = Math.floor(y / layout.rowH);
    if (r < 0 || r >= layout.n) { tip.hidden = true; return; }
    var job = jobs[order[r]], d = duration(job), wait = job[T_PROC] !== null ? job[T_PROC] - job[T_SUB] : null;
    tip.textContent = job[ID] + "\n" + models[job[MODEL]][0] + " · " + statuses[job[STATUS]] +
      (wait !== null ? "\nwaited " + seconds(wait) : "") + (d !== null ? "\ntook " + seconds(d) : "");
    tip.style.left = Math.min(event.clientX - rect.left + 12, rect.width - 200) + "px";
    tip.style.top = (y + 12) + "px";
    tip.hidden = false;
  });
  canvas.addEventListener("mouseleave", function () { tip.hidden = true; });
  var resizing = 0;
  window.addEventListener("resize", function () { clearTimeout(resizing); resizing = setTimeout(draw, 100); });

  // --- live refresh ----------------------------------------------------------------------
  var KEY = "aireiter-report:" + location.pathname;
  var savedY = +(sessionStorage.getItem(KEY + ":y") || 0);
  if (data.live) {
    var pause = byId("live-pause");
    pause.checked = sessionStorage.getItem(KEY + ":paused") === "1";
    pause.addEventListener("change", function () { sessionStorage.setItem(KEY + ":paused", pause.checked ? "1" : "0"); });
    setInterval(function () {
      if (pause.checked) return;
      sessionStorage.setItem(KEY + ":y", String(window.scrollY));
      location.reload();
    }, data.refresh_s * 1000);
  }

  rows();
  draw();
  readHash();
  apply();
  if (savedY) { fill(savedY); window.scrollTo(0, savedY); sessionStorage.removeItem(KEY + ":y"); }
  document.documentElement.setAttribute("data-ready", "1");
})();
