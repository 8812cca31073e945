/* Loupe report: table pages, theme switch, readiness flag. Vanilla JS, no network. */
(function () {
  function pager(wrap) {
    var pages = wrap.querySelectorAll('tbody.loupe-page');
    if (pages.length < 2) return;
    var info = wrap.querySelector('.loupe-table-info');
    var bar = document.createElement('div');
    bar.className = 'loupe-pager';
    var prev = document.createElement('button'), next = document.createElement('button');
    var all = document.createElement('button'), label = document.createElement('span');
    prev.type = next.type = all.type = 'button';
    prev.textContent = '‹ Prev'; next.textContent = 'Next ›'; all.textContent = 'Show all';
    label.className = 'loupe-pager-label';
    var current = 0, showAll = false;
    var pageSize = pages[0].rows.length, shown = Number(wrap.getAttribute('data-rows'));
    function update() {
      for (var i = 0; i < pages.length; i++) pages[i].hidden = !(showAll || i === current);
      var first = current * pageSize + 1, last = Math.min(shown, (current + 1) * pageSize);
      label.textContent = showAll ? 'all ' + shown.toLocaleString('en-US') + ' rows'
        : 'rows ' + first.toLocaleString('en-US') + '–' + last.toLocaleString('en-US');
      prev.disabled = showAll || current === 0;
      next.disabled = showAll || current === pages.length - 1;
      all.textContent = showAll ? 'Pages' : 'Show all';
      wrap.setAttribute('data-page', showAll ? 'all' : String(current));
    }
    prev.onclick = function () { if (current > 0) { current--; update(); } };
    next.onclick = function () { if (current < pages.length - 1) { current++; update(); } };
    all.onclick = function () { showAll = !showAll; update(); };
    bar.appendChild(prev); bar.appendChild(label); bar.appendChild(next); bar.appendChild(all);
    (info || wrap).appendChild(bar);
    update();
  }

  function themeToggle() {
    var button = document.querySelector('.loupe-theme-toggle');
    if (!button) return;
    var order = ['auto', 'light', 'dark'];
    var root = document.documentElement;
    function label() { button.textContent = '◐ ' + (root.getAttribute('data-theme') || 'auto'); }
    button.onclick = function () {
      var now = order.indexOf(root.getAttribute('data-theme') || 'auto');
      var next = order[(now + 1) % order.length];
      root.setAttribute('data-theme', next);
      try { localStorage.setItem('loupe-theme', next); } catch (e) { /* ignore */ }
      label();
      if (window.LoupeViews) window.LoupeViews.themeChanged();
    };
    label();
  }

  /* Marks the contents entry of the section being read. */
  function scrollSpy() {
    var links = document.querySelectorAll('.loupe-toc a[href^="#"]');
    if (!links.length || !window.IntersectionObserver) return;
    var byId = {}, targets = [];
    for (var i = 0; i < links.length; i++) {
      var id = decodeURIComponent(links[i].getAttribute('href').slice(1)), el = document.getElementById(id);
      if (el) { byId[id] = links[i]; targets.push(el); }
    }
    var current = null;
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        if (!entry.isIntersecting) return;
        var link = byId[entry.target.id];
        if (!link || link === current) return;
        if (current) current.classList.remove('toc-current');
        link.classList.add('toc-current');
        current = link;
      });
    }, { rootMargin: '0px 0px -70% 0px' });
    targets.forEach(function (t) { observer.observe(t); });
  }

  function start() {
    var wraps = document.querySelectorAll('.loupe-table-wrap');
    for (var i = 0; i < wraps.length; i++) pager(wraps[i]);
    themeToggle();
    scrollSpy();
    if (window.LoupeViews) window.LoupeViews.mountAll();
    var root = document.documentElement;
    if (!root.hasAttribute('data-loupe-script-errors')) root.setAttribute('data-loupe-script-errors', String((window.__loupeErrors || []).length));
    root.setAttribute('data-loupe-report', 'ready');
    if (window.LoupeViews) window.LoupeViews.runTestHooks();
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start); else start();
})();
