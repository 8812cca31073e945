/* attention_patterns: pick a head (or the mean), hover/tap a token to see where it attends as a
   destination (its row) and what attends to it as a source (its column); click locks the focus. */
(function () {
  var LV = window.LoupeViews;
  if (!LV || LV.hasAttentionPatterns) return;
  LV.hasAttentionPatterns = true;

  LV.register('attention-patterns', function (root, d, host) {
    var n = d.n, H = d.heads, values = LV.decodeAttention(d), mean = null;
    var head = H > 1 ? -1 : 0, focus = -1, locked = false;
    var lut = LV.lut(LV.attentionRamp()), ramp = LV.attentionRamp();
    var scale = LV.defaultScale(n), transfer = LV.transfers[scale], dpr = window.devicePixelRatio || 1;
    function tone(v) { return transfer(Math.min(1, Math.max(0, (v - d.lo) / (d.hi - d.lo)))); }
    function matrix(h) {
      if (h >= 0) return { a: values, off: h * n * n };
      if (!mean) mean = LV.meanHeads(values, H, n);
      return { a: mean, off: 0 };
    }
    function value(h, dest, src) { var m = matrix(h); return m.a[m.off + dest * n + src]; }
    function headName(h) { return h < 0 ? 'mean of ' + H + ' heads' : d.headNames[h]; }

    /* Head selector: a chip per head with a thumbnail, plus the mean. */
    var toolbar = LV.el('div', 'lv-toolbar');
    toolbar.appendChild(LV.el('span', 'lv-label', 'Head'));
    var chips = LV.el('div', 'lv-chips');
    toolbar.appendChild(chips);
    var chipList = [];
    var order = H > 1 ? [-1] : [];
    for (var h = 0; h < H; h++) order.push(h);
    order.forEach(function (h) {
      var chip = LV.el('button', 'lv-chip');
      chip.type = 'button';
      chip.setAttribute('data-head', String(h));
      var thumb = LV.canvas(28, 28, 'lv-thumb');
      chip.appendChild(thumb);
      chip.appendChild(LV.el('span', null, h < 0 ? 'Mean' : d.headNames[h]));
      chip.title = headName(h);
      chip.onclick = function () { head = h; redrawAll(); };
      chips.appendChild(chip);
      chipList.push({ h: h, chip: chip, thumb: thumb });
    });
    toolbar.appendChild(LV.scaleSelect(scale, function (name) {
      scale = name; transfer = LV.transfers[name]; redrawAll(); drawThumbs();
    }));
    root.appendChild(toolbar);

    var body = LV.el('div', 'lv-ap-body');
    root.appendChild(body);

    /* Heatmap: one canvas for the matrix, one on top for the focus row/column. */
    var size = Math.min(420, Math.max(240, n * 12));
    var cell = size / n;
    var heatWrap = LV.el('div', 'lv-heat');
    heatWrap.appendChild(LV.el('div', 'lv-axis-top', 'source (key) →'));
    var stack = LV.el('div', 'lv-stack');
    stack.appendChild(LV.el('div', 'lv-axis-left', 'destination (query) →'));
    var canvases = LV.el('div', 'lv-canvases');
    var base = LV.canvas(size, size, 'lv-base'), overlay = LV.canvas(size, size, 'lv-overlay');
    canvases.appendChild(base); canvases.appendChild(overlay);
    stack.appendChild(canvases);
    heatWrap.appendChild(stack);
    var legend = LV.el('div', 'lv-legend');
    heatWrap.appendChild(legend);
    body.appendChild(heatWrap);

    /* Token lists. */
    var side = LV.el('div', 'lv-ap-side');
    var status = LV.el('div', 'lv-status', 'Hover or tap a token to see its attention; click to lock.');
    side.appendChild(status);
    var destTitle = LV.el('div', 'lv-section-title');
    var destList = LV.el('div', 'lv-tokens lv-dest-tokens');
    var srcTitle = LV.el('div', 'lv-section-title');
    var srcList = LV.el('div', 'lv-tokens lv-src-tokens');
    side.appendChild(destTitle); side.appendChild(destList);
    side.appendChild(srcTitle); side.appendChild(srcList);
    body.appendChild(side);
    var destSpans = [], srcSpans = [];
    for (var i = 0; i < n; i++) {
      var a = LV.el('span', 'lv-token', LV.tokenText(d.tokens[i])); a.setAttribute('data-i', String(i));
      var b = LV.el('span', 'lv-token', LV.tokenText(d.tokens[i])); b.setAttribute('data-i', String(i));
      destList.appendChild(a); srcList.appendChild(b);
      destSpans.push(a); srcSpans.push(b);
    }

    function tokenLabel(i) { return '“' + LV.tokenText(d.tokens[i]) + '” [' + i + ']'; }

    function drawHeatmap() {
      var m = matrix(head);
      var bmp = LV.heatBitmap(m.a, m.off, n, d.lo, d.hi, lut, transfer, Math.ceil(size * dpr));
      var ctx = base.getContext('2d');
      ctx.clearRect(0, 0, size, size);
      ctx.imageSmoothingEnabled = bmp.width > size * dpr;
      ctx.drawImage(bmp, 0, 0, size, size);
      legend.textContent = '';
      var bar = LV.el('span', 'lv-legend-bar');
      bar.style.background = 'linear-gradient(to right,' + LV.css(ramp, 0) + ',' + LV.css(ramp, 0.5) + ',' + LV.css(ramp, 1) + ')';
      legend.appendChild(LV.el('span', null, LV.fmt(d.lo)));
      legend.appendChild(bar);
      legend.appendChild(LV.el('span', null, LV.fmt(d.hi)));
      legend.appendChild(LV.el('span', 'lv-legend-name', headName(head) + (scale === 'linear' ? '' : ' · ' + scale + ' scale')));
    }
    function drawOverlay() {
      var ctx = overlay.getContext('2d');
      ctx.clearRect(0, 0, size, size);
      if (focus < 0) return;
      var w = Math.max(cell, 1.5);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = LV.isDark() ? 'rgba(255,166,87,0.95)' : 'rgba(217,95,2,0.95)';
      ctx.strokeRect(0.75, focus * cell, size - 1.5, w);
      ctx.setLineDash([3, 2]);
      ctx.strokeStyle = LV.isDark() ? 'rgba(210,168,255,0.9)' : 'rgba(117,72,200,0.9)';
      ctx.strokeRect(focus * cell, 0.75, w, size - 1.5);
      ctx.setLineDash([]);
    }
    /* 64 precomputed colours per theme; a span is only written when its colour changes, so a
       hover over 1000+ tokens touches just the tokens whose attention changed. */
    var swatches = null, lastDest = [], lastSrc = [], lastFocus = -1;
    function swatch(t) {
      if (!swatches) {
        swatches = [];
        for (var q = 0; q < 64; q++) swatches.push([LV.css(ramp, q / 63), LV.textOn(ramp, q / 63)]);
      }
      return swatches[Math.round(t * 63)];
    }
    function paintSpan(span, cache, j, t) {
      var c = t < 0 ? null : swatch(t);
      if (cache[j] === c) return;
      cache[j] = c;
      span.style.background = c ? c[0] : '';
      span.style.color = c ? c[1] : '';
    }
    function paintTokens() {
      if (lastFocus >= 0) { destSpans[lastFocus].classList.remove('lv-focus'); srcSpans[lastFocus].classList.remove('lv-focus'); }
      if (focus >= 0) { destSpans[focus].classList.add('lv-focus'); srcSpans[focus].classList.add('lv-focus'); }
      lastFocus = focus;
      for (var j = 0; j < n; j++) {
        paintSpan(destSpans[j], lastDest, j, focus < 0 ? -1 : tone(value(head, focus, j)));
        paintSpan(srcSpans[j], lastSrc, j, focus < 0 ? -1 : tone(value(head, j, focus)));
      }
      if (focus < 0) {
        destTitle.textContent = 'Where each token attends (as destination)';
        srcTitle.textContent = 'What attends to each token (as source)';
      } else {
        destTitle.textContent = 'Where ' + tokenLabel(focus) + ' attends (as destination)';
        srcTitle.textContent = 'What attends to ' + tokenLabel(focus) + ' (as source)';
      }
    }
    function paintChips() {
      chipList.forEach(function (c) { c.chip.classList.toggle('lv-selected', c.h === head); c.chip.setAttribute('aria-pressed', String(c.h === head)); });
      host.setAttribute('data-selected-head', String(head));
    }
    function drawThumbs() {
      var k = 0;
      function step() {
        var t0 = performance.now();
        while (k < chipList.length && performance.now() - t0 < 12) {
          var c = chipList[k++], m = matrix(c.h);
          var ctx = c.thumb.getContext('2d');
          ctx.imageSmoothingEnabled = true;
          ctx.clearRect(0, 0, 28, 28);
          ctx.drawImage(LV.heatBitmap(m.a, m.off, n, d.lo, d.hi, lut, transfer, Math.ceil(28 * dpr)), 0, 0, 28, 28);
        }
        if (k < chipList.length) requestAnimationFrame(step);
      }
      step();
    }
    function setFocus(i) { if (i !== focus) showFocus(i); }
    function showFocus(i) {
      focus = i;
      host.setAttribute('data-highlight-row', String(i));
      drawOverlay(); paintTokens();
      status.textContent = focus < 0 ? 'Hover or tap a token to see its attention; click to lock.'
        : (locked ? 'Locked on ' : 'Focus: ') + tokenLabel(focus) + (locked ? ' — click again to unlock.' : ' — click to lock.');
    }
    /* Scrolls both token lists (not the page) so token i is in view. */
    function reveal(i) {
      [[destList, destSpans], [srcList, srcSpans]].forEach(function (pair) {
        var list = pair[0], span = pair[1][i];
        if (span.offsetTop < list.scrollTop || span.offsetTop + span.offsetHeight > list.scrollTop + list.clientHeight) {
          list.scrollTop = Math.max(0, span.offsetTop - list.clientHeight / 2);
        }
      });
    }
    function redrawAll() { paintChips(); drawHeatmap(); drawOverlay(); paintTokens(); }

    function tokenFromEvent(e) {
      var t = e.target.closest ? e.target.closest('.lv-token') : null;
      return t ? Number(t.getAttribute('data-i')) : -1;
    }
    [destList, srcList].forEach(function (list, which) {
      list.addEventListener('mouseover', function (e) {
        var i = tokenFromEvent(e);
        if (i < 0) return;
        if (!locked) setFocus(i);
        var v = which === 0 ? value(head, focus, i) : value(head, i, focus);
        LV.showTip(e.clientX, e.clientY, which === 0
          ? tokenLabel(focus) + ' → ' + tokenLabel(i) + ': ' + LV.fmt(v)
          : tokenLabel(i) + ' → ' + tokenLabel(focus) + ': ' + LV.fmt(v));
      });
      list.addEventListener('mouseleave', LV.hideTip);
      list.addEventListener('click', function (e) {
        var i = tokenFromEvent(e);
        if (i < 0) return;
        locked = !(locked && i === focus);
        showFocus(i);
      });
    });
    /* Keyboard: focus a token list (Tab), then ←/→ move the locked focus, Esc unlocks. */
    [destList, srcList].forEach(function (list) {
      list.tabIndex = 0;
      list.setAttribute('aria-label', 'tokens; use the arrow keys to move the focus');
      list.addEventListener('keydown', function (e) {
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          var next = focus < 0 ? 0 : Math.min(n - 1, Math.max(0, focus + (e.key === 'ArrowRight' ? 1 : -1)));
          locked = true; showFocus(next); reveal(next); e.preventDefault();
        } else if (e.key === 'Escape') { locked = false; showFocus(focus); }
      });
    });
    overlay.addEventListener('mousemove', function (e) {
      var r = overlay.getBoundingClientRect();
      var row = Math.min(n - 1, Math.max(0, Math.floor((e.clientY - r.top) / r.height * n)));
      var col = Math.min(n - 1, Math.max(0, Math.floor((e.clientX - r.left) / r.width * n)));
      if (!locked && row !== focus) { setFocus(row); reveal(row); }
      LV.showTip(e.clientX, e.clientY, tokenLabel(row) + ' → ' + tokenLabel(col) + ': ' + LV.fmt(value(head, row, col)));
    });
    overlay.addEventListener('mouseleave', LV.hideTip);
    overlay.addEventListener('click', function () { locked = !locked; showFocus(focus); });

    LV.onTheme(function () { ramp = LV.attentionRamp(); lut = LV.lut(ramp); swatches = null; lastDest = []; lastSrc = []; redrawAll(); drawThumbs(); });
    host.setAttribute('data-highlight-row', '-1');
    redrawAll();
    drawThumbs();
  });
  LV.mountAll();
})();
