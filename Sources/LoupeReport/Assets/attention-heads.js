/* attention_heads: a grid of small per-head heatmaps (canvas, drawn a few per frame so 1000+ tokens
   never stall the page); clicking a head opens it large with token labels and a hover read-out. */
(function () {
  var LV = window.LoupeViews;
  if (!LV || LV.hasAttentionHeads) return;
  LV.hasAttentionHeads = true;

  LV.register('attention-heads', function (root, d, host) {
    var n = d.n, H = d.heads, values = LV.decodeAttention(d);
    var ramp = LV.attentionRamp(), lut = LV.lut(ramp);
    var bitmaps = {}, selected = 0, dpr = window.devicePixelRatio || 1;
    var scale = LV.defaultScale(n), transfer = LV.transfers[scale];
    function bitmap(h, maxSize) {
      var key = h + ':' + maxSize;
      if (!bitmaps[key]) bitmaps[key] = LV.heatBitmap(values, h * n * n, n, d.lo, d.hi, lut, transfer, maxSize);
      return bitmaps[key];
    }
    function tokenLabel(i) { return '“' + LV.tokenText(d.tokens[i]) + '” [' + i + ']'; }

    var toolbar = LV.el('div', 'lv-toolbar');
    toolbar.appendChild(LV.el('span', 'lv-status', H + ' heads · ' + n + ' tokens · click a head to open it'));
    toolbar.appendChild(LV.scaleSelect(scale, function (name) {
      scale = name; transfer = LV.transfers[name]; bitmaps = {}; drawTiles(); drawDetail();
    }));
    root.appendChild(toolbar);
    var grid = LV.el('div', 'lv-head-grid');
    root.appendChild(grid);
    var tileSize = H > 16 ? 84 : 112;
    var tiles = [];
    for (var h = 0; h < H; h++) {
      var tile = LV.el('button', 'lv-head-tile');
      tile.type = 'button';
      tile.setAttribute('data-head', String(h));
      tile.title = d.headNames[h];
      var c = LV.canvas(tileSize, tileSize, 'lv-tile-canvas');
      tile.appendChild(c);
      tile.appendChild(LV.el('span', 'lv-tile-name', d.headNames[h]));
      (function (h) { tile.addEventListener('click', function () { select(h); }); })(h);
      grid.appendChild(tile);
      tiles.push({ tile: tile, canvas: c });
    }

    /* The large view. */
    var detail = LV.el('div', 'lv-head-detail');
    var detailTitle = LV.el('div', 'lv-section-title');
    var readout = LV.el('div', 'lv-readout', 'Hover the heatmap to read a value.');
    detail.appendChild(detailTitle);
    var size = Math.min(640, Math.max(320, n * 20));
    var cell = size / n;
    var labels = cell >= 9;
    var margin = labels ? 96 : 4;
    var wrap = LV.el('div', 'lv-canvases');
    var big = LV.canvas(size + margin, size + margin, 'lv-base');
    var overlay = LV.canvas(size + margin, size + margin, 'lv-overlay');
    wrap.appendChild(big); wrap.appendChild(overlay);
    detail.appendChild(wrap);
    detail.appendChild(readout);
    var legend = LV.el('div', 'lv-legend');
    detail.appendChild(legend);
    root.appendChild(detail);

    function drawTiles() {
      var k = 0, started = performance.now();
      function step() {
        var t0 = performance.now();
        while (k < H && performance.now() - t0 < 14) {
          var ctx = tiles[k].canvas.getContext('2d');
          var tileBitmap = bitmap(k, Math.ceil(tileSize * dpr));
          ctx.imageSmoothingEnabled = tileBitmap.width > tileSize * dpr;
          ctx.clearRect(0, 0, tileSize, tileSize);
          ctx.drawImage(tileBitmap, 0, 0, tileSize, tileSize);
          k++;
        }
        host.setAttribute('data-tiles-drawn', String(k));
        if (k < H) requestAnimationFrame(step);
        else host.setAttribute('data-tiles-ms', String(Math.round(performance.now() - started)));
      }
      step();
    }
    function drawDetail() {
      var ctx = big.getContext('2d');
      ctx.clearRect(0, 0, size + margin, size + margin);
      var image = bitmap(selected, Math.ceil(size * dpr));
      ctx.imageSmoothingEnabled = image.width > size * dpr;
      ctx.drawImage(image, margin, margin, size, size);
      if (labels) {
        var style = getComputedStyle(host);
        ctx.fillStyle = style.color || '#333';
        ctx.font = Math.min(12, Math.floor(cell * 0.8)) + 'px ' + (style.getPropertyValue('--lv-mono') || 'monospace');
        ctx.textBaseline = 'middle';
        ctx.textAlign = 'right';
        for (var i = 0; i < n; i++) {
          var text = LV.tokenText(d.tokens[i]);
          if (text.length > 12) text = text.slice(0, 11) + '…';
          ctx.fillText(text, margin - 4, margin + (i + 0.5) * cell);
          ctx.save();
          ctx.translate(margin + (i + 0.5) * cell, margin - 4);
          ctx.rotate(-Math.PI / 3);
          ctx.textAlign = 'left';
          ctx.fillText(text, 0, 0);
          ctx.restore();
        }
      }
      detailTitle.textContent = d.headNames[selected] + ' — destination (query) rows × source (key) columns';
      legend.textContent = '';
      var bar = LV.el('span', 'lv-legend-bar');
      bar.style.background = 'linear-gradient(to right,' + LV.css(ramp, 0) + ',' + LV.css(ramp, 0.5) + ',' + LV.css(ramp, 1) + ')';
      legend.appendChild(LV.el('span', null, LV.fmt(d.lo)));
      legend.appendChild(bar);
      legend.appendChild(LV.el('span', null, LV.fmt(d.hi)));
      if (scale !== 'linear') legend.appendChild(LV.el('span', 'lv-legend-name', scale + ' scale'));
    }
    function select(h) {
      selected = h;
      tiles.forEach(function (t, i) { t.tile.classList.toggle('lv-selected', i === h); t.tile.setAttribute('aria-pressed', String(i === h)); });
      host.setAttribute('data-selected-head', String(h));
      drawDetail();
      clearOverlay();
    }
    function clearOverlay() { overlay.getContext('2d').clearRect(0, 0, size + margin, size + margin); }

    overlay.addEventListener('mousemove', function (e) {
      var r = overlay.getBoundingClientRect();
      var scale = r.width / (size + margin);
      var x = (e.clientX - r.left) / scale - margin, y = (e.clientY - r.top) / scale - margin;
      clearOverlay();
      if (x < 0 || y < 0 || x >= size || y >= size) { LV.hideTip(); return; }
      var row = Math.floor(y / cell), col = Math.floor(x / cell);
      var ctx = overlay.getContext('2d');
      ctx.strokeStyle = LV.isDark() ? 'rgba(255,166,87,0.95)' : 'rgba(217,95,2,0.95)';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(margin, margin + row * cell, size, Math.max(cell, 1.5));
      ctx.strokeRect(margin + col * cell, margin + row * cell, Math.max(cell, 1.5), Math.max(cell, 1.5));
      host.setAttribute('data-highlight-row', String(row));
      var v = values[selected * n * n + row * n + col];
      var text = tokenLabel(row) + ' → ' + tokenLabel(col) + ': ' + LV.fmt(v);
      readout.textContent = text;
      LV.showTip(e.clientX, e.clientY, text);
    });
    overlay.addEventListener('mouseleave', function () { clearOverlay(); LV.hideTip(); });

    LV.onTheme(function () { ramp = LV.attentionRamp(); lut = LV.lut(ramp); bitmaps = {}; drawTiles(); drawDetail(); });
    select(0);
    drawTiles();
  });
  LV.mountAll();
})();
